// examples/gpt: the character GPT learns the repository's text (the loss falls below a bound
// in a fixed number of steps), eager and compiled agree step by step (also with gradient
// accumulation), the saved state_dict reloads to bit-identical logits, and sampling with
// temperature and top-k is deterministic for a seed.
#include "gpt/char_gpt.h"
#include "test_util.h"
#include "text/loss_curves.h"

using namespace ember;
using namespace ember::testing;
using namespace ember::examples;

namespace {

class GptExample : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda()) EMBER_REQUIRE_CUDA();
  }
  // Small enough for a few seconds on two cores.
  GptOptions options(bool compiled) const {
    GptOptions o;
    o.device = GetParam();
    o.compiled = compiled;
    o.text_path = default_text_path();
    o.steps = kSteps;
    o.batch = 8;
    o.model.context = 64;
    o.model.embed = 64;
    o.model.heads = 4;
    o.model.layers = 2;
    o.lr = 3e-3;
    o.warmup = 10;
    return o;
  }
  static constexpr int64_t kSteps = 300;
};

// A uniform guess over the ~100 characters of docs/ARCHITECTURE.md costs 4.6 nats and the
// character frequencies alone 3.4; below 3.2 the model has learned some context. The text
// changes with every edit of that page, and any change of the text, of the seed or of a
// kernel's rounding moves the curve like a new seed: over seeds 0-7 the mean of the last 10
// of 300 steps was 2.65-2.97 (mean 2.76; measured on the page of 2026-12-02). At 150 steps
// the spread (2.9-3.4) straddled any useful bound, which failed CI after an edit of the page.
constexpr double kLossBound = 3.2;

// Every 25th step loss: what a failed bound prints, so a CI log shows the curve.
std::string curve(const std::vector<double>& losses) {
  std::string out;
  for (size_t i = 24; i < losses.size(); i += 25) out += std::to_string(losses[i]).substr(0, 5) + " ";
  return out;
}

}  // namespace

TEST_P(GptExample, EagerLearnsReloadsAndSamplesDeterministically) {
  GptOptions o = options(false);
  o.save_path = temp_file("ember_gpt_test.safetensors");
  o.sample_chars = 60;
  GptResult r = train_gpt(o);
  ASSERT_EQ(r.step_losses.size(), static_cast<size_t>(kSteps));
  for (double l : r.step_losses) ASSERT_TRUE(std::isfinite(l));
  EXPECT_GT(r.step_losses.front(), std::log(static_cast<double>(r.vocab)) - 0.3);
  EXPECT_LT(mean_of_last(r.step_losses, 10), kLossBound) << curve(r.step_losses);
  EXPECT_TRUE(r.reloaded_identical);
  EXPECT_EQ(r.sample.size(), o.prime.size() + 60);

  // The same seed draws the same text from the reloaded model; another seed another text.
  Vocabulary vocab = Vocabulary::of(read_text(o.text_path));
  GPTConfig c = o.model;
  c.vocab = vocab.size();
  GPT m(c);
  m->to(o.device);
  load(m, o.save_path);
  EXPECT_EQ(generate_text(m, vocab, o.prime, 60, o.temperature, o.top_k, o.sample_seed), r.sample);
  EXPECT_NE(generate_text(m, vocab, o.prime, 60, o.temperature, o.top_k, o.sample_seed + 1), r.sample);
  // top_k = 1 is greedy decoding: the seed no longer matters.
  EXPECT_EQ(generate_text(m, vocab, o.prime, 30, o.temperature, 1, 1), generate_text(m, vocab, o.prime, 30, 2.0, 1, 2));
  EXPECT_EMBER_ERROR(generate_text(m, vocab, o.prime, 5, 0.0, 1, 1), "temperature must be positive");
  std::remove(o.save_path.c_str());
}

// Bitwise for the first steps; then a fused CPU reduction (the cross-entropy's row
// log-sum-exp) can round a last bit differently from the eager kernel (issue 13 makes
// reductions bitwise too), and the two runs drift apart as training amplifies it, within
// kDrift of each other.
constexpr size_t kBitwiseSteps = 10;
constexpr double kDrift = 2e-2;

TEST_P(GptExample, CompiledLearnsWithTheEagerLossesStepByStep) {
  GptResult eager = train_gpt(options(false));
  GptResult compiled = train_gpt(options(true));
  ASSERT_EQ(eager.step_losses.size(), compiled.step_losses.size());
  for (size_t i = 0; i < eager.step_losses.size(); ++i) {
    if (i < kBitwiseSteps) {
      ASSERT_EQ(compiled.step_losses[i], eager.step_losses[i]) << "step " << i;
      ASSERT_EQ(compiled.grad_norms[i], eager.grad_norms[i]) << "step " << i;
    }
    ASSERT_NEAR(compiled.step_losses[i], eager.step_losses[i], kDrift * eager.step_losses[i]) << "step " << i;
  }
  EXPECT_LT(mean_of_last(compiled.step_losses, 10), kLossBound) << curve(compiled.step_losses);
  EXPECT_EQ(compiled.compiles, 1);
}

// Two micro-batches of 4 accumulate, compiled as eager, with dropout on.
TEST_P(GptExample, GradientAccumulationCompiledMatchesEager) {
  GptOptions o = options(false);
  o.steps = 8;
  o.batch = 4;
  o.micro_batches = 2;
  o.model.dropout = 0.1;
  GptResult eager = train_gpt(o);
  o.compiled = true;
  GptResult compiled = train_gpt(o);
  for (size_t i = 0; i < eager.step_losses.size(); ++i) {
    ASSERT_EQ(compiled.step_losses[i], eager.step_losses[i]) << "step " << i;
    ASSERT_EQ(compiled.grad_norms[i], eager.grad_norms[i]) << "step " << i;
  }
  // One trace for the whole run: the schedule's new lr each step does not retrace.
  EXPECT_EQ(compiled.compiles, 1);
  EXPECT_EQ(eager.compiles, 0);
}

INSTANTIATE_TEST_SUITE_P(Devices, GptExample, ::testing::ValuesIn(all_devices()), device_name);

// The gradient of a batch of 8 is the mean of the gradients of its two micro-batches of 4
// (each loss divided by 2): what accumulation computes.
TEST(GptExampleModel, AccumulatedMicroBatchGradientsEqualTheFullBatchGradient) {
  manual_seed(0);
  GPTConfig c;
  c.vocab = 20;
  c.context = 16;
  c.embed = 32;
  c.layers = 2;
  GPT model(c);
  Tensor x = randint(20, {8, 16}, TensorOptions().dtype(kInt64)), y = randint(20, {8, 16}, TensorOptions().dtype(kInt64));
  gpt_loss(model, x, y).backward();
  std::vector<Tensor> full;
  for (const Tensor& p : model->parameters()) full.push_back(p.grad().clone());
  model->zero_grad();
  for (int64_t m = 0; m < 2; ++m) (gpt_loss(model, x.narrow(0, 4 * m, 4), y.narrow(0, 4 * m, 4)) / 2).backward();
  std::vector<Tensor> params = model->parameters();
  for (size_t i = 0; i < params.size(); ++i) EXPECT_TRUE(params[i].grad().allclose(full[i], 1e-4, 1e-6)) << i;
}

TEST(GptExampleModel, ParamGroupsDecayOnlyMatricesAndTheHeadIsTied) {
  GPTConfig c;
  c.vocab = 10;
  c.context = 8;
  c.embed = 16;
  c.layers = 1;
  GPT model(c);
  auto groups = gpt_param_groups(model, 1e-3, 0.1);
  ASSERT_EQ(groups.size(), 2u);
  for (const Tensor& p : groups[0].params()) EXPECT_GE(p.dim(), 2);
  for (const Tensor& p : groups[1].params()) EXPECT_EQ(p.dim(), 1);
  EXPECT_EQ(groups[0].params().size() + groups[1].params().size(), model->parameters().size());
  EXPECT_EQ(static_cast<const optim::AdamWOptions&>(groups[1].options()).weight_decay(), 0.0);
  // The tied head: the logits' gradient reaches the token embedding through the head too.
  Tensor ids = zeros({1, 4}, TensorOptions().dtype(kInt64));
  model->forward(ids).select(2, 7).sum().backward();
  EXPECT_GT(model->wte->weight.grad()[7].abs().sum().item<double>(), 0.0);
  EXPECT_EMBER_ERROR(model->forward(zeros({1, 9}, TensorOptions().dtype(kInt64))), "longer than the context");
  // Warm-up then cosine.
  EXPECT_DOUBLE_EQ(warmup_cosine(0, 10, 100, 0.1), 0.1);
  EXPECT_DOUBLE_EQ(warmup_cosine(9, 10, 100, 0.1), 1.0);
  EXPECT_NEAR(warmup_cosine(55, 10, 100, 0.1), 0.55, 1e-12);
  EXPECT_DOUBLE_EQ(warmup_cosine(100, 10, 100, 0.1), 0.1);
}
