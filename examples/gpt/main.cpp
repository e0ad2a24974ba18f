// examples/gpt: trains a character-level GPT on the repository's own text, eager and/or
// compiled, prints the loss, then samples text (temperature, top-k) from the
// saved-and-reloaded model.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "gpt/char_gpt.h"
#include "text/loss_curves.h"

int main(int argc, char** argv) {
  using namespace ember::examples;
  CLI::App app("Character-level GPT (pre-LN causal self-attention blocks, tied head; AdamW, clipping, "
               "warm-up + cosine, gradient accumulation)");
  GptOptions o;
  o.sample_chars = 300;
  std::string device = "cpu", mode = "both";
  o.save_path = (std::filesystem::temp_directory_path() / "ember_gpt.safetensors").string();
  app.add_option("--device", device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--mode", mode, "eager, compiled, or both (then the losses are compared)")
      ->check(CLI::IsMember({"eager", "compiled", "both"}))->capture_default_str();
  app.add_option("--text", o.text_path, "text file to learn (default: the repository's docs and headers)");
  app.add_option("--steps", o.steps, "optimizer steps")->capture_default_str();
  app.add_option("--batch", o.batch, "windows per micro-batch")->capture_default_str();
  app.add_option("--micro-batches", o.micro_batches, "micro-batches whose gradients accumulate per step")
      ->capture_default_str();
  app.add_option("--context", o.model.context, "characters per window")->capture_default_str();
  app.add_option("--embed", o.model.embed, "embedding width")->capture_default_str();
  app.add_option("--heads", o.model.heads, "attention heads")->capture_default_str();
  app.add_option("--layers", o.model.layers, "transformer blocks")->capture_default_str();
  app.add_option("--dropout", o.model.dropout, "dropout")->capture_default_str();
  app.add_option("--lr", o.lr, "peak AdamW learning rate")->capture_default_str();
  app.add_option("--warmup", o.warmup, "linear warm-up steps before the cosine decay")->capture_default_str();
  app.add_option("--weight-decay", o.weight_decay, "AdamW weight decay (matrices only)")->capture_default_str();
  app.add_option("--clip", o.clip, "gradient norm clip (0: none)")->capture_default_str();
  app.add_option("--seed", o.seed, "random seed")->capture_default_str();
  app.add_option("--save", o.save_path, "where the trained model is saved (safetensors) and reloaded from")
      ->capture_default_str();
  app.add_option("--sample", o.sample_chars, "characters to sample")->capture_default_str();
  app.add_option("--temperature", o.temperature, "sampling temperature")->capture_default_str();
  app.add_option("--top-k", o.top_k, "sample among the k most likely characters (0: all)")->capture_default_str();
  app.add_option("--prime", o.prime, "text the sample starts from")->capture_default_str();
  app.add_option("--sample-seed", o.sample_seed, "sampling seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    o.device = ember::Device(device);
    o.log = [](int64_t step, double loss, double lr) {
      std::printf("  step %4lld  loss %.4f  lr %.2e\n", static_cast<long long>(step), loss, lr);
    };
    std::vector<GptResult> runs;
    for (bool compiled : {false, true}) {
      if ((compiled && mode == "eager") || (!compiled && mode == "compiled")) continue;
      o.compiled = compiled;
      std::cout << (compiled ? "compiled" : "eager") << " on " << o.device << ":\n";
      auto t0 = std::chrono::steady_clock::now();
      runs.push_back(train_gpt(o));
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const GptResult& r = runs.back();
      std::printf("  %.1f s (with saving and sampling), %.1f ms per step; %lld parameters, vocabulary %lld\n", s,
                  1000 * s / static_cast<double>(r.step_losses.size()), static_cast<long long>(r.parameters),
                  static_cast<long long>(r.vocab));
      std::printf("  saved to %s and reloaded: logits %s\n", o.save_path.c_str(),
                  r.reloaded_identical ? "bit-identical" : "DIFFERENT");
      if (!r.sample.empty())
        std::cout << "  sample (temperature " << o.temperature << ", top-k " << o.top_k << "):\n" << r.sample << "\n";
    }
    if (runs.size() == 2) print_agreement(runs[0].step_losses, runs[1].step_losses);
  } catch (const ember::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
