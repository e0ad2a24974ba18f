// Writes the seed corpora of the harnesses (tests/fuzz/corpus/<harness>/): small valid files
// of every kind ember reads, and the choices of a few random programs. Run from the fuzz tree:
//   build-asan/tests/fuzz/ember_fuzz_seeds tests/fuzz/corpus
#include <ember/ember.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "compiler/serialize_graph.h"
#include "differential/random_program.h"
#include "frontend/compile/compile_internals.h"

using namespace ember;
namespace fs = std::filesystem;

namespace {

NamedTensorList sample_tensors() {
  manual_seed(0);
  return {{"weight", randn({3, 4})},
          {"ids", arange(5, TensorOptions().dtype(kInt64))},
          {"mask", randn({2, 2}) > 0},
          {"half", randn({2}).to(kFloat16)},
          {"bf", randn({}).to(kBFloat16)},
          {"empty", zeros({0, 3})},
          {"bytes", arange(4, TensorOptions().dtype(kUInt8))}};
}

void write_bytes(const fs::path& path, const std::vector<uint32_t>& choices) {
  std::ofstream f(path, std::ios::binary);
  for (uint32_t c : choices) f.put(static_cast<char>(c));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: ember_fuzz_seeds <corpus dir>\n";
    return 2;
  }
  fs::path root = argv[1];
  for (const char* d : {"safetensors", "npy", "npz", "graph_json", "artifact", "compile"}) fs::create_directories(root / d);

  auto tensors = sample_tensors();
  save_tensors(tensors, (root / "safetensors" / "mixed.safetensors").string());
  save_tensors({tensors[0]}, (root / "safetensors" / "one.safetensors").string());
  for (size_t k = 0; k < tensors.size(); ++k)
    if (tensors[k].second.dtype() != kBFloat16)
      save_npy(tensors[k].second, (root / "npy" / (tensors[k].first + ".npy")).string());
  save_npy(randn({3, 4}).t(), (root / "npy" / "fortran.npy").string());
  NamedTensorList numpy_kinds;
  for (auto& t : tensors)
    if (t.second.dtype() != kBFloat16) numpy_kinds.push_back(t);
  save_npz(numpy_kinds, (root / "npz" / "stored.npz").string());
  save_npz({tensors[0]}, (root / "npz" / "deflated.npz").string(), true);

  // Exported steps: an inference function and an Adam training step of a small network.
  manual_seed(1);
  nn::Sequential net(nn::Linear(4, 3), nn::ReLU(), nn::Linear(3, 2));
  auto infer = compile([&](const Tensor& x) { return net->forward(x); });
  infer(randn({2, 4}));
  infer.save((root / "artifact" / "inference.ember").string(), {.names = net->named_parameters().pairs()});
  optim::Adam adam(net->parameters(), optim::AdamOptions(1e-2));
  auto train = compile([&](const Tensor& x, const Tensor& y) {
    adam.zero_grad();
    Tensor loss = (net->forward(x) - y).pow(2).mean();
    loss.backward();
    adam.step();
    return loss.detach();
  });
  train(randn({2, 4}), randn({2, 2}));
  train.save((root / "artifact" / "adam_step.ember").string(), {.names = net->named_parameters().pairs()});

  // Graphs and choice lists of random programs (views, reductions, matmuls among them).
  for (uint64_t seed = 0; seed < 12; ++seed) {
    testing::Choices choices(seed);
    testing::RandomProgram p = testing::random_program(choices);
    write_bytes(root / "compile" / ("program" + std::to_string(seed)), choices.recorded());
    if (seed % 3 == 0) {
      auto f = compile([&p](const std::vector<Tensor>& a) { return testing::run_program(p, a); });
      f(testing::program_inputs(p, Device(kCPU), seed));
      jit::save_graph(jit::forward_program(f).traced(), (root / "graph_json" / ("program" + std::to_string(seed) + ".json")).string());
    }
  }
  std::cout << "seeds written under " << root << "\n";
  return 0;
}
