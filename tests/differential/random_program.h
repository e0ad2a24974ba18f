#pragma once
// Random programs for differential testing of the compiler: pointwise ops of the op table with
// broadcasting, views (slice, transpose, permute, expand, unsqueeze, flatten), reductions over
// random dims, matmuls and the real models' layers (softmax, log_softmax, layer_norm, rms_norm,
// cat, index_select, cumsum, conv1d, attention), in six dtypes, run eagerly and compiled on the
// same inputs. A program is built from
// a list of choices, so a failing one shrinks by shrinking its choices (Hypothesis' idea), and
// libFuzzer's bytes are choices too (tests/fuzz/fuzz_compile.cpp). No GoogleTest in here.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember::testing {

// The choices a program is built from: drawn from a seeded generator (and recorded), or
// replayed from a list. pick(n) is in [0, n); past the end of a replayed list every pick is 0,
// and 0 is always the simplest choice.
class Choices {
 public:
  explicit Choices(uint64_t seed) : rng_(static_cast<std::mt19937::result_type>(seed)), random_(true) {}
  explicit Choices(std::vector<uint32_t> replay) : recorded_(std::move(replay)) {}
  int pick(int n);
  const std::vector<uint32_t>& recorded() const { return recorded_; }

 private:
  std::mt19937 rng_;
  bool random_ = false;
  size_t next_ = 0;
  std::vector<uint32_t> recorded_;
};

// The real models' layers (ember composes them of the ops above, and conv for Conv1d).
enum LayerKind { Softmax, LogSoftmax, LayerNorm, RmsNorm, Cat, IndexSelect, Cumsum, Conv1d, Attention, kLayerKinds };

struct ProgramStep {
  enum Kind { Pointwise, View, Reduce, Matmul, Layer } kind = Pointwise;
  int a = 0, b = 0;           // operand values (b: pointwise and cat only)
  int op = 0;                 // pointwise: row of the op table; view: ViewKind; reduce: 0 sum 1 mean 2 amax 3 amin;
                              // layer: LayerKind
  double c = 0;               // pointwise: the number operand
  std::vector<int64_t> args;  // view and layer arguments; reduce: dims (empty: all)
  bool keepdim = false;
  int weight = -1;            // matmul, conv1d: index into RandomProgram::weights
};

struct RandomProgram {
  ScalarType dtype = kFloat32;
  std::vector<Shape> inputs, weights;  // called as f(inputs..., weights...)
  std::vector<ProgramStep> steps;      // value k >= inputs.size() is steps[k - inputs.size()]'s
  std::vector<int> outputs;            // value indices
  // Per value: its shape, and whether compiled must equal eager bitwise (false downstream of
  // a float sum/mean, a matmul or a layer that sums: a fused schedule may add in another order).
  std::vector<Shape> shapes;
  std::vector<bool> exact;
};

// No value grows past `max_elements` elements (expands, cats, broadcasts and matmuls would
// otherwise compound: a fuzzed program of ten steps reached 10^7 elements and 40 s under ASan).
// The differential runs explore sizes (2^16: multi-block rows, chunked reductions); the fuzzer
// explores programs, so it takes 2^13 and runs several times faster.
constexpr int64_t kProgramMaxElements = int64_t{1} << 16;
RandomProgram random_program(Choices& choices, int64_t max_elements = kProgramMaxElements);
// One line per step, e.g. "v3 = transpose(v1, 0, 1)  [4, 2]".
std::string describe(const RandomProgram& p);

// Inputs then weights, drawn from `seed` (normal * 3 floats; integers in [-5, 5]).
std::vector<Tensor> program_inputs(const RandomProgram& p, Device device, uint64_t seed);
// Runs the program (eagerly, or traced when called inside compile). `max_abs`, when given,
// receives the largest magnitude of any finite value it computed (the tolerance's scale).
std::vector<Tensor> run_program(const RandomProgram& p, const std::vector<Tensor>& args, double* max_abs = nullptr);

struct Verdict {
  std::string mismatch;  // empty when compiled agreed with eager
  int fused_kernels = 0, fused_reductions = 0;
  int bitwise_outputs = 0, tolerance_outputs = 0;
  std::string bundle;    // the repro bundle written for a mismatch, when asked for
};

// Eager vs compiled on the same inputs: outputs marked exact bitwise, the others within
// tolerance(dtype) relative to the largest magnitude the program computed. With
// `bundle_dir`, a mismatch writes a repro bundle (graph JSON + inputs) there.
Verdict check_program(const RandomProgram& p, Device device, uint64_t seed, const std::string& bundle_dir = "");
double tolerance(ScalarType dtype);
// Compiles and runs the program on `args` and writes the traced graph with them as a repro
// bundle in `dir` (ember-dump --replay/--bisect read it).
void write_program_bundle(const RandomProgram& p, const std::vector<Tensor>& args, const std::string& dir,
                          const std::string& reason);

// A pointwise step applied to values (what run_program does for one), and how many pointwise
// ops a float or int64 program chooses from: for tests that build their own programs.
Tensor apply_pointwise(const ProgramStep& s, const std::vector<Tensor>& values, bool is_float);
int pointwise_op_count(bool is_float);

// The shortest, simplest choice list found for which `fails` still holds: deletes runs of
// choices and lowers each one while `fails` keeps failing (at most `budget` calls).
std::vector<uint32_t> shrink_choices(std::vector<uint32_t> choices,
                                     const std::function<bool(const std::vector<uint32_t>&)>& fails,
                                     int budget = 5000);

}  // namespace ember::testing
