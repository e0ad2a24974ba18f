// examples/lstm: trains a character-level LSTM language model on a text file of the
// repository, eager and/or compiled, prints the loss, then samples text from the
// saved-and-reloaded model.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <iostream>

#include "lstm/char_lstm.h"
#include "text/loss_curves.h"

int main(int argc, char** argv) {
  using namespace ember::examples;
  CLI::App app("Character-level LSTM language model (embedding, 2-layer LSTM, Linear head; Adam)");
  LstmOptions o;
  o.sample_chars = 300;
  std::string device = "cpu", mode = "both";
  o.save_path = (std::filesystem::temp_directory_path() / "ember_lstm.safetensors").string();
  app.add_option("--device", device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--mode", mode, "eager, compiled, or both (then the losses are compared)")
      ->check(CLI::IsMember({"eager", "compiled", "both"}))->capture_default_str();
  app.add_option("--text", o.text_path, "text file to learn (default: " + default_text_path() + ")");
  app.add_option("--steps", o.steps, "training steps")->capture_default_str();
  app.add_option("--batch", o.batch, "windows per step")->capture_default_str();
  app.add_option("--seq", o.seq, "characters per window")->capture_default_str();
  app.add_option("--hidden", o.hidden, "LSTM hidden size")->capture_default_str();
  app.add_option("--layers", o.layers, "LSTM layers")->capture_default_str();
  app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
  app.add_option("--dropout", o.dropout, "dropout between the LSTM layers")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option("--save", o.save_path, "where the trained model is saved (safetensors) and reloaded from")
      ->capture_default_str();
  app.add_option("--sample", o.sample_chars, "characters to sample")->capture_default_str();
  app.add_option("--temperature", o.temperature, "sampling temperature")->capture_default_str();
  app.add_option("--prime", o.prime, "text the sample starts from")->capture_default_str();
  app.add_option("--sample-seed", o.sample_seed, "sampling seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    o.device = ember::Device(device);
    o.log = [](int64_t step, double loss) { std::printf("  step %4lld  loss %.4f\n", static_cast<long long>(step), loss); };
    std::vector<LstmResult> runs;
    for (bool compiled : {false, true}) {
      if ((compiled && mode == "eager") || (!compiled && mode == "compiled")) continue;
      o.compiled = compiled;
      std::cout << (compiled ? "compiled" : "eager") << " on " << o.device << ":\n";
      auto t0 = std::chrono::steady_clock::now();
      runs.push_back(train_lstm(o));
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const LstmResult& r = runs.back();
      std::printf("  %.1f s (with saving and sampling), %.1f ms per step; vocabulary %lld characters\n", s,
                  1000 * s / static_cast<double>(r.step_losses.size()), static_cast<long long>(r.vocab));
      std::printf("  saved to %s and reloaded: logits %s\n", o.save_path.c_str(),
                  r.reloaded_identical ? "bit-identical" : "DIFFERENT");
      if (!r.sample.empty()) std::cout << "  sample (temperature " << o.temperature << "):\n" << r.sample << "\n";
    }
    if (runs.size() == 2) print_agreement(runs[0].step_losses, runs[1].step_losses);
  } catch (const ember::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
