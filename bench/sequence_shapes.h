#pragma once
// The shapes of the sequence workloads, shared by the ember and the libtorch versions (free
// of ember and torch headers: the torch files are C++17).
#include <cstdint>
#include <string>

namespace ember::bench {

// gpt: one AdamW training step of examples/gpt's model on random ids.
struct GptBenchShape {
  int64_t vocab = 96, context = 128, embed = 128, heads = 4, layers = 2, batch = 8;
  // gpt_model.inc's GPTConfig (ember's or libtorch's) with these sizes.
  template <class Config>
  Config config() const {
    Config c;
    c.vocab = vocab;
    c.context = context;
    c.embed = embed;
    c.heads = heads;
    c.layers = layers;
    return c;
  }
};

// attention:<T>: causal scaled-dot-product attention forward + backward, q k v [8, 4, T, 32].
struct AttentionBenchShape {
  int64_t batch = 8, heads = 4, time = 256, head_dim = 32;
};

// False when `arg` is not a positive integer; "" keeps the default.
inline bool parse_attention(const std::string& arg, AttentionBenchShape& out) {
  if (arg.empty()) return true;
  if (arg.size() > 6 || arg.find_first_not_of("0123456789") != std::string::npos) return false;
  out.time = std::stoll(arg);
  return out.time > 0;
}

}  // namespace ember::bench
