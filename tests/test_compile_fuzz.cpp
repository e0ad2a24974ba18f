// Differential testing of the compiler: random programs (tests/differential/random_program.h:
// pointwise ops of the table, views, reductions over random dims, matmuls, layers) run eagerly and
// compiled on the same inputs. Outputs that no float sum or matmul reaches must be bitwise
// equal (DESIGN.md's promise); the others agree within tolerance(dtype) relative to the
// program's largest value. A mismatch is shrunk to the simplest program that still fails and
// written as a repro bundle (ember-dump --replay). EMBER_DIFFERENTIAL_PROGRAMS and
// EMBER_DIFFERENTIAL_SEED change the CPU run's count and seed (the long recorded runs).
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <set>

#include "differential/random_program.h"
#include "frontend/compile/repro_bundle.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

void differential(Device device, int count, uint64_t seed) {
  int bitwise = 0, tolerance = 0, fused_kernels = 0, fused_reductions = 0;
  int views = 0, reductions = 0, matmuls = 0, layers = 0;
  std::set<int> layer_kinds;
  std::set<ScalarType> dtypes;
  for (int g = 0; g < count; ++g) {
    Choices choices(seed * 1000003 + static_cast<uint64_t>(g));
    RandomProgram p = random_program(choices);
    Verdict v = check_program(p, device, seed + g);
    if (!v.mismatch.empty()) {
      auto fails = [&](const std::vector<uint32_t>& c) {
        Choices replay(c);
        return !check_program(random_program(replay), device, seed + g).mismatch.empty();
      };
      Choices shrunk(shrink_choices(choices.recorded(), fails));
      RandomProgram small = random_program(shrunk);
      std::string dir = temp_file("ember_differential_" + std::to_string(getpid()) + "_" + std::to_string(g));
      Verdict again = check_program(small, device, seed + g, dir);
      FAIL() << "program " << g << " (seed " << seed << "): " << v.mismatch << "\n"
             << describe(p) << "shrunk to: " << again.mismatch << "\n" << describe(small)
             << "repro bundle: " << again.bundle;
    }
    bitwise += v.bitwise_outputs;
    tolerance += v.tolerance_outputs;
    fused_kernels += v.fused_kernels;
    fused_reductions += v.fused_reductions;
    for (const auto& s : p.steps) {
      views += s.kind == ProgramStep::View;
      reductions += s.kind == ProgramStep::Reduce;
      matmuls += s.kind == ProgramStep::Matmul;
      layers += s.kind == ProgramStep::Layer;
      if (s.kind == ProgramStep::Layer) layer_kinds.insert(s.op);
    }
    dtypes.insert(p.dtype);
  }
  std::printf("%d programs: %d outputs bitwise, %d within tolerance; %d views, %d reductions, %d matmuls, "
              "%d layers; %d fused kernels (%d with a reduction)\n",
              count, bitwise, tolerance, views, reductions, matmuls, layers, fused_kernels, fused_reductions);
  // What the programs covered, so that a generator change cannot quietly stop testing.
  EXPECT_GT(bitwise, count / 2);
  EXPECT_GT(tolerance, count / 10);
  EXPECT_GT(views, count / 2);
  EXPECT_GT(reductions, count / 2);
  EXPECT_GT(matmuls, count / 10);
  EXPECT_GT(layers, count / 4);
  if (count >= 1000) {
    EXPECT_EQ(layer_kinds.size(), static_cast<size_t>(kLayerKinds));
    EXPECT_EQ(dtypes.size(), 6u);
  }
  EXPECT_GT(fused_kernels, count * 3 / 4);
  EXPECT_GT(fused_reductions, count / 20);
}

// Random steps that read and update a captured state tensor in place (copy_, add_, mul_)
// between pointwise ops, some of which read the state before and some after an update:
// compiled calls must leave the state and the outputs bitwise equal to eager ones, call
// after call (the state is written back, often computed straight into its memory).
void in_place_differential(Device device, int count, uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto o = TensorOptions().device(device);
  for (int g = 0; g < count; ++g) {
    Shape shape{1 + pick(9), 1 + pick(40)};
    manual_seed(seed + g);
    Tensor s0 = randn(shape, o), x = randn(shape, o), row = randn({shape[1]}, o);
    struct Step {
      int kind;  // 0: pointwise op, 1: state.copy_(v), 2: state.add_(v), 3: state.mul_(c)
      ProgramStep op;
    };
    std::vector<Step> steps;
    int nvalues = 3;  // x, row, then the state handle itself
    for (int k = 0, n = 3 + pick(8); k < n; ++k) {
      Step st{pick(4) == 0 ? 1 + pick(3) : 0, {}};
      st.op.op = pick(pointwise_op_count(true));
      st.op.c = static_cast<double>(pick(7)) - 2.75;
      st.op.a = pick(nvalues);
      st.op.b = pick(nvalues);
      steps.push_back(st);
      if (st.kind == 0) ++nvalues;
    }
    auto program = [&](Tensor& state, const Tensor& xx, const Tensor& rr) {
      std::vector<Tensor> v{xx, rr, state};
      for (const auto& st : steps) {
        if (st.kind == 0) v.push_back(apply_pointwise(st.op, v, true));
        else if (st.kind == 1) state.copy_(v[st.op.a]);
        else if (st.kind == 2) state.add_(v[st.op.a]);
        else state.mul_(st.op.c);
      }
      return std::vector<Tensor>{v.back() + 0.0, state * 1.0};
    };
    Tensor se = s0.clone(), sc = s0.clone();
    auto f = compile([&](const Tensor& xx, const Tensor& rr) { return program(sc, xx, rr); });
    for (int call = 0; call < 2; ++call) {
      auto want = program(se, x, row);
      std::vector<Tensor> got;
      try {
        got = f(x, row);
      } catch (const Error& e) {
        FAIL() << "graph " << g << " failed to compile/run: " << e.what();
      }
      for (size_t k = 0; k < want.size(); ++k)
        EXPECT_TRUE(bitwise_equal(got[k], want[k])) << "graph " << g << " call " << call << " output " << k << "\n" << f.dump();
      EXPECT_TRUE(bitwise_equal(sc, se)) << "graph " << g << " call " << call << "\n" << f.dump();
      if (::testing::Test::HasFailure()) return;
    }
  }
}

}  // namespace

TEST(CompileFuzz, InPlaceStateUpdatesOnCpu) { in_place_differential(Device(kCPU), 300, 77); }

TEST(CompileFuzz, InPlaceStateUpdatesOnCuda) {
  EMBER_REQUIRE_CUDA();
  in_place_differential(Device(kCUDA), 300, 78);
}

TEST(CompileFuzz, RandomProgramsOnCpu) {
  differential(Device(kCPU), static_cast<int>(env_number("EMBER_DIFFERENTIAL_PROGRAMS", 2000)),
               env_number("EMBER_DIFFERENTIAL_SEED", 2024));
}

TEST(CompileFuzz, RandomProgramsOnCuda) {
  EMBER_REQUIRE_CUDA();
  differential(Device(kCUDA), 300, 4048);  // NVRTC builds each program's kernels: 300 took 50 s on an H200
}

// Programs replay from their choices, and the same choices give the same program.
TEST(CompileFuzz, ChoicesReplayTheirProgram) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Choices drawn(seed);
    RandomProgram p = random_program(drawn);
    Choices replay(drawn.recorded());
    EXPECT_EQ(describe(random_program(replay)), describe(p)) << seed;
  }
  Choices none(std::vector<uint32_t>{});
  RandomProgram simplest = random_program(none);
  EXPECT_EQ(simplest.steps.size(), 2u) << describe(simplest);
}

// No value of a program grows past its bound (2^16, fuzz_compile's 2^13), however its choices fall: fuzz_compile once
// found ten steps of expands and broadcasts reaching 10^7 elements (40 s under ASan; the
// bytes below, a timeout, now build a small program).
TEST(CompileFuzz, ProgramsStayBounded) {
  auto largest = [](const RandomProgram& p) {
    int64_t most = 0;
    for (const auto& s : p.shapes) most = std::max(most, numel_of(s));
    return most;
  };
  for (uint64_t seed = 0; seed < 3000; ++seed) {
    Choices drawn(seed);
    RandomProgram p = random_program(drawn);
    ASSERT_LE(largest(p), int64_t{1} << 16) << describe(p);
    Choices again(seed);
    RandomProgram small = random_program(again, int64_t{1} << 13);  // fuzz_compile's bound
    ASSERT_LE(largest(small), int64_t{1} << 13) << describe(small);
  }
  const uint8_t timeout[] = {0x30, 0x38, 0x28, 0x37, 0x28, 0x38, 0x28, 0x38, 0x28, 0x31, 0x3a, 0x39, 0x86, 0xef,
                             0x86, 0xd4, 0xef, 0xef, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x28, 0x38, 0x28, 0x31, 0x3a,
                             0xd2, 0xd4, 0x86, 0x86, 0xef, 0xef, 0xef, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e,
                             0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x86, 0x49, 0x49, 0x49};
  for (uint32_t shift : {0u, 1u, 2u}) {  // the bytes as fuzz_compile reads them, and nearby
    std::vector<uint32_t> choices(std::begin(timeout), std::end(timeout));
    for (auto& c : choices) c += shift;
    Choices replay(choices);
    RandomProgram p = random_program(replay);
    EXPECT_LE(largest(p), int64_t{1} << 16) << describe(p);
    EXPECT_TRUE(check_program(p, Device(kCPU), 1).mismatch.empty()) << describe(p);
  }
}

// fuzz_compile's first mismatch (2026-12-07): layer_norm of an expanded float16 row minimum,
// compiled -1 and 1 where eager gives 0 (the row kernel folded a row value as a row).
TEST(CompileFuzz, ExpandedRowValueUnderLayerNorm) {
  const uint8_t bytes[] = {0x2c, 0x5b, 0x02, 0xfa, 0x91, 0x6d, 0x37, 0x01, 0x3f, 0x3f, 0x00, 0x61, 0x6c, 0xff, 0x07, 0xfd,
                           0xff, 0x3a, 0xff, 0x3f, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x87, 0x0c, 0x01, 0x48, 0x34, 0x36,
                           0x28, 0x37, 0x2c, 0x38, 0x00, 0x61, 0x6c, 0x75, 0x65, 0xfd, 0xff, 0x3a, 0x00, 0xb4, 0x1c, 0x3d};
  Choices replay(std::vector<uint32_t>(std::begin(bytes), std::end(bytes)));
  RandomProgram p = random_program(replay, int64_t{1} << 13);  // as fuzz_compile reads them
  EXPECT_NE(describe(p).find("layer_norm"), std::string::npos) << describe(p);
  Verdict v = check_program(p, Device(kCPU), 1);
  EXPECT_TRUE(v.mismatch.empty()) << v.mismatch << "\n" << describe(p);
}

// Shrinking keeps the failure and removes what it does not need: a stand-in failure ("a matmul
// reads a view") found in a random program of 5 or more steps shrinks to at most 4 (a view, a
// matmul and what the order of choices cannot drop) on one-element inputs.
TEST(CompileFuzz, ShrinkingFindsASmallProgram) {
  auto has_failure = [](const RandomProgram& p) {
    for (const auto& s : p.steps)
      if (s.kind == ProgramStep::Matmul && s.a >= static_cast<int>(p.inputs.size()) &&
          p.steps[s.a - p.inputs.size()].kind == ProgramStep::View)
        return true;
    return false;
  };
  int shrunk_programs = 0;
  for (uint64_t seed = 0; seed < 3000 && shrunk_programs < 3; ++seed) {
    Choices drawn(seed);
    RandomProgram p = random_program(drawn);
    if (!has_failure(p) || p.steps.size() < 5) continue;
    auto small = shrink_choices(drawn.recorded(), [&](const std::vector<uint32_t>& c) {
      Choices replay(c);
      return has_failure(random_program(replay));
    });
    Choices replay(small);
    RandomProgram q = random_program(replay);
    EXPECT_TRUE(has_failure(q));
    EXPECT_LE(q.steps.size(), 4u) << describe(p) << "shrunk to\n" << describe(q);
    for (const auto& shape : q.inputs) EXPECT_EQ(numel_of(shape), 1) << describe(q);
    EXPECT_LT(small.size(), drawn.recorded().size());
    ++shrunk_programs;
  }
  EXPECT_EQ(shrunk_programs, 3);
}

// The bundle a mismatch writes holds the program's traced graph and its very inputs.
TEST(CompileFuzz, MismatchBundleHoldsGraphAndInputs) {
  Choices drawn(uint64_t{11});
  RandomProgram p = random_program(drawn);
  auto args = program_inputs(p, Device(kCPU), 5);
  std::string dir = temp_file("ember_differential_bundle_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  write_program_bundle(p, args, dir, "test");
  auto bundle = jit::load_repro_bundle(dir);
  ASSERT_TRUE(bundle.has_inputs);
  ASSERT_EQ(bundle.inputs.size(), args.size());
  for (size_t k = 0; k < args.size(); ++k) EXPECT_TRUE(bitwise_equal(bundle.inputs[k], args[k]));
  EXPECT_GE(bundle.graph.nodes.size(), p.steps.size());
  std::filesystem::remove_all(dir);
}
