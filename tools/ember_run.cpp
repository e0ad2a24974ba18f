// ember-run: runs a compiled step saved with save() (ember/export.h) on .npy inputs, in a
// process that has none of the code that was traced.
#include <CLI/CLI.hpp>
#include <iostream>

#include "ember/export.h"
#include "ember/numpy_io.h"
#include "ember/serialize.h"

using namespace ember;

namespace {

const char* kExamples = R"(Examples:
  ember-run step.ember --describe                         variants, arguments, state
  ember-run model.ember --inputs x.npy --out y.npy        one inference call
  ember-run step.ember --inputs x.npy y.npy --out loss.npy --repeat 10 --save-state after.safetensors
  ember-run step.ember --state params.safetensors --inputs x.npy y.npy --out outputs.npz)";

struct Options {
  std::string artifact, state, save_state;
  std::vector<std::string> inputs, outputs;
  int repeat = 1;
  bool describe = false;
};

void write_outputs(const std::vector<Tensor>& out, const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  if (paths.size() == 1 && paths[0].ends_with(".npz")) {
    NamedTensorList named;
    for (size_t i = 0; i < out.size(); ++i) named.emplace_back("output" + std::to_string(i), out[i]);
    save_npz(named, paths[0]);
    return;
  }
  EMBER_CHECK(paths.size() == out.size(), "the step returns ", out.size(), " output(s) but --out names ", paths.size(),
              " file(s): give one .npy per output, or one .npz");
  for (size_t i = 0; i < out.size(); ++i) save_npy(out[i], paths[i]);
}

int run(const Options& o) {
  LoadOptions lo;
  if (!o.state.empty()) lo.state = load_tensors(o.state);
  LoadedFunction f = load_compiled(o.artifact, lo);
  if (o.describe) std::cout << f.describe();
  if (o.inputs.empty()) return 0;
  std::vector<LoadedArgument> want = f.arguments(0);
  std::vector<Tensor> in;
  for (size_t i = 0; i < o.inputs.size(); ++i) {
    Tensor t = load_npy(o.inputs[i]);
    if (i < want.size() && t.device() != want[i].device) t = t.to(want[i].device);
    in.push_back(t);
  }
  std::vector<Tensor> out;
  for (int r = 0; r < o.repeat; ++r) {
    out = f(in);
    if (o.repeat > 1 && out.size() == 1 && out[0].numel() == 1)
      std::cout << "step " << r << ": " << out[0].item<double>() << "\n";
  }
  write_outputs(out, o.outputs);
  if (!o.save_state.empty()) save_tensors(f.state(), o.save_state);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("ember-run: run a compiled step saved with save(), without the code that was traced");
  app.footer(kExamples);
  Options o;
  app.add_option("artifact", o.artifact, "the file save() wrote (step.ember)")->required();
  app.add_option("--inputs", o.inputs, "one .npy per tensor argument, in order");
  app.add_option("--out", o.outputs, "one .npy per output, or one .npz for all (output0, output1, ...)");
  app.add_option("--state", o.state, "captured tensors by name (safetensors), instead of the embedded ones");
  app.add_option("--save-state", o.save_state, "write the captured tensors after the last run (safetensors)");
  app.add_option("--repeat", o.repeat, "run N times on the same inputs (a training step trains on)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--describe", o.describe, "print the variants, their arguments and the state");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::string msg = e.what();
    std::cerr << "ember-run: error: " << msg << "\n";
    return 1;
  }
}
