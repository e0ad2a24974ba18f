// The compile pipeline: the bytes are the choices of a random program (tests/differential),
// which is traced, fused, compiled for the CPU and run, and must agree with eager (bitwise
// where promised). A disagreement aborts with the program.
#include <cstdio>
#include <cstdlib>

#include "differential/random_program.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ember::fuzz::prepare();
  std::vector<uint32_t> choices(data, data + size);
  ember::testing::Choices replay(choices);
  ember::testing::RandomProgram p = ember::testing::random_program(replay, int64_t{1} << 13);
  ember::testing::Verdict v = ember::testing::check_program(p, ember::Device(ember::kCPU), 1);
  if (!v.mismatch.empty()) {
    std::fprintf(stderr, "compiled != eager: %s\n%s", v.mismatch.c_str(), ember::testing::describe(p).c_str());
    std::abort();
  }
  return 0;
}
