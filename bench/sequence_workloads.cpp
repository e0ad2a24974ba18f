#include "sequence_workloads.h"

#include "gpt/char_gpt.h"
#include "text/clip_gradients.h"
#include "sequence_shapes.h"

namespace ember::bench {

namespace {

struct GptState {
  examples::GPT model{nullptr};
  std::unique_ptr<optim::AdamW> opt;
};

}  // namespace

Workload gpt(const WorkloadOptions& o) {
  GptBenchShape shape;
  int64_t batch = o.size > 0 ? o.size : shape.batch;
  auto c = shape.config<examples::GPTConfig>();
  auto st = std::make_shared<GptState>();
  st->model = examples::GPT(c);
  st->model->to(o.device);
  st->opt = std::make_unique<optim::AdamW>(examples::gpt_param_groups(st->model, 3e-4, 0.1), optim::AdamWOptions(3e-4));
  Workload w;
  w.name = "gpt";
  w.description = "examples/gpt's character GPT (" + std::to_string(c.layers) + " pre-LN blocks, embed " +
                  std::to_string(c.embed) + ", " + std::to_string(c.heads) +
                  " heads, tied head): cross-entropy, backward, clip_grad_norm 1.0, AdamW (2 param groups), "
                  "batch " + std::to_string(batch) + " x context " + std::to_string(c.context);
  auto ids = TensorOptions().dtype(kInt64).device(o.device);
  w.inputs = {randint(c.vocab, {batch, c.context}, ids), randint(c.vocab, {batch, c.context}, ids)};
  w.training = true;
  w.min_bytes = 2 * batch * c.context * 8;
  GptState* s = st.get();
  w.fn = [s](const std::vector<Tensor>& t) {
    s->opt->zero_grad();
    Tensor loss = examples::gpt_loss(s->model, t[0], t[1]);
    loss.backward();
    examples::clip_gradients(s->model->parameters(), 1.0);
    s->opt->step();
    return std::vector<Tensor>{loss.detach()};
  };
  w.state = st;
  return w;
}

Workload attention(const std::string& arg, const WorkloadOptions& o) {
  AttentionBenchShape shape;
  EMBER_CHECK(parse_attention(arg, shape), "attention:<T> takes a positive sequence length, e.g. attention:256 (got '",
              arg, "')");
  int64_t b = o.size > 0 ? o.size : shape.batch;
  // q, k, v are leaves of a module (as parameters are) so that zero_grad(true) drops their
  // gradients before each call, as conv2d's block does.
  auto leaves = std::make_shared<nn::Module>("AttentionInputs");
  Shape qkv_shape = {b, shape.heads, shape.time, shape.head_dim};
  for (const char* name : {"q", "k", "v"})
    leaves->register_parameter(name, randn(qkv_shape, TensorOptions().device(o.device)));
  Workload w;
  w.name = "attention:" + std::to_string(shape.time);
  w.description = "causal scaled_dot_product_attention forward + backward (q, k, v grads), q k v [" +
                  std::to_string(b) + ", " + std::to_string(shape.heads) + ", " + std::to_string(shape.time) + ", " +
                  std::to_string(shape.head_dim) + "]";
  w.inputs = {randn(qkv_shape, TensorOptions().device(o.device))};  // the output's gradient
  w.training = true;
  w.min_bytes = 3 * 2 * b * shape.heads * shape.time * shape.head_dim * 4;
  nn::Module* m = leaves.get();
  w.fn = [m](const std::vector<Tensor>& t) {
    m->zero_grad(true);
    std::vector<Tensor> p = m->parameters();
    Tensor out = scaled_dot_product_attention(p[0], p[1], p[2], std::nullopt, 0.0, /*is_causal=*/true);
    out.backward(t[0]);
    return std::vector<Tensor>{out.detach()};
  };
  w.state = leaves;
  return w;
}

}  // namespace ember::bench
