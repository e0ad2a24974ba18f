// examples/lstm: the character-level LSTM learns docs/ARCHITECTURE.md (the loss falls below a
// bound in a fixed number of steps), eager and compiled agree step by step, the saved model
// reloads to bit-identical logits, and sampling is deterministic for a seed.
#include "lstm/char_lstm.h"
#include "test_util.h"
#include "text/loss_curves.h"

using namespace ember;
using namespace ember::testing;
using namespace ember::examples;

namespace {

class LstmExample : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda()) EMBER_REQUIRE_CUDA();
  }
  // Small enough for a few seconds on two cores.
  LstmOptions options(bool compiled) const {
    LstmOptions o;
    o.device = GetParam();
    o.compiled = compiled;
    o.steps = kSteps;
    o.batch = 16;
    o.seq = 24;
    o.hidden = 64;
    o.embed = 16;
    o.layers = 1;
    o.lr = 3e-2;
    return o;
  }
  static constexpr int64_t kSteps = 150;
};

// A uniform guess over the vocabulary costs log(vocab) nats (4.6 for the ~100 characters of
// docs/ARCHITECTURE.md) and the character frequencies alone 3.4; below 2.7 the model has
// learned some context. The page changes with every edit, which moves the curve like a new
// seed: over seeds 0-7 the mean of the last 10 of 150 steps was 2.25-2.38.
constexpr double kLossBound = 2.7;

}  // namespace

TEST(LstmExampleVocabulary, RoundTripsText) {
  Vocabulary v = Vocabulary::of("hello world");
  EXPECT_EQ(v.size(), 8);
  Tensor ids = v.encode("low");
  std::vector<int64_t> back(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
  EXPECT_EQ(v.decode(back), "low");
  EXPECT_EMBER_ERROR(v.encode("z"), "not in the vocabulary");
}

TEST_P(LstmExample, EagerLearnsReloadsAndSamplesDeterministically) {
  LstmOptions o = options(false);
  o.save_path = temp_file("ember_lstm_test.safetensors");
  o.sample_chars = 80;
  LstmResult r = train_lstm(o);
  ASSERT_EQ(r.step_losses.size(), static_cast<size_t>(kSteps));
  for (double l : r.step_losses) ASSERT_TRUE(std::isfinite(l));
  EXPECT_GT(r.step_losses.front(), std::log(static_cast<double>(r.vocab)) - 0.3);
  EXPECT_LT(mean_of_last(r.step_losses, 10), kLossBound);
  EXPECT_TRUE(r.reloaded_identical);
  EXPECT_EQ(r.sample.size(), o.prime.size() + 80);

  // The same seed draws the same text from the reloaded model; another seed another text.
  std::string text = read_text(default_text_path());
  Vocabulary vocab = Vocabulary::of(text);
  CharLSTM m(vocab.size(), o.embed, o.hidden, o.layers);
  m->to(o.device);
  load(m, o.save_path);
  EXPECT_EQ(sample_text(m, vocab, o.prime, 80, o.temperature, o.sample_seed, o.device), r.sample);
  EXPECT_NE(sample_text(m, vocab, o.prime, 80, o.temperature, o.sample_seed + 1, o.device), r.sample);
  std::remove(o.save_path.c_str());
}

// Bitwise: the compiled step runs the same kernels in the same order on the same values (the
// fused pointwise kernels compute what the eager ones do), including the dropout masks.
TEST_P(LstmExample, CompiledLearnsWithTheEagerLossesStepByStep) {
  LstmResult eager = train_lstm(options(false));
  LstmResult compiled = train_lstm(options(true));
  ASSERT_EQ(eager.step_losses.size(), compiled.step_losses.size());
  for (size_t i = 0; i < eager.step_losses.size(); ++i)
    ASSERT_EQ(compiled.step_losses[i], eager.step_losses[i]) << "step " << i;
  EXPECT_LT(mean_of_last(compiled.step_losses, 10), kLossBound);

  // Two layers with dropout between them, a few steps.
  LstmOptions o = options(false);
  o.layers = 2;
  o.dropout = 0.1;
  o.steps = 20;
  LstmResult e2 = train_lstm(o);
  o.compiled = true;
  LstmResult c2 = train_lstm(o);
  for (size_t i = 0; i < e2.step_losses.size(); ++i) ASSERT_EQ(c2.step_losses[i], e2.step_losses[i]) << "step " << i;
}

INSTANTIATE_TEST_SUITE_P(Devices, LstmExample, ::testing::ValuesIn(all_devices()), device_name);
