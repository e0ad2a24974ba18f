// Threads, in the ways libtorch allows: distinct tensors from distinct threads; one compiled
// function called concurrently on different inputs (its calls take turns); concurrent first
// calls trace once. Every result is compared with a single-threaded run of the same work.
#include <atomic>
#include <barrier>
#include <set>
#include <thread>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

constexpr int kThreads = 8;
constexpr int kCalls = 1000;

// Runs body(t) on kThreads threads released together.
void on_threads(const std::function<void(int)>& body) {
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      body(t);
    });
  for (auto& th : threads) th.join();
}

}  // namespace

TEST(Threads, OneCompiledFunctionCalledFromEightThreadsMatchesOneThread) {
  auto f = compile([](const Tensor& a, const Tensor& b) { return ((a * b).exp() + a).sum(1) * 0.5; });
  std::vector<Tensor> as, bs, expected;
  for (int t = 0; t < kThreads; ++t) {
    as.push_back(randn({16, 32}));
    bs.push_back(randn({16, 32}));
    expected.push_back(f(as[t], bs[t]));
  }
  std::atomic<int> mismatches{0};
  on_threads([&](int t) {
    for (int i = 0; i < kCalls; ++i) {
      int k = (t + i) % kThreads;  // every thread uses every input
      if (!f(as[k], bs[k]).equal(expected[k])) ++mismatches;
    }
  });
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(f.stats().compiles, 1);
  EXPECT_EQ(f.stats().calls, kThreads + kThreads * kCalls);
}

TEST(Threads, ConcurrentFirstCallsTraceOnce) {
  for (int round = 0; round < 5; ++round) {
    auto f = compile([](const Tensor& x) { return (x.relu() * 3 - 1).tanh(); });
    Tensor x = randn({64});
    Tensor want = (x.relu() * 3 - 1).tanh();
    std::atomic<int> mismatches{0};
    on_threads([&](int) {
      if (!f(x).equal(want)) ++mismatches;
    });
    EXPECT_EQ(mismatches.load(), 0) << round;
    EXPECT_EQ(f.stats().compiles, 1) << round;
  }
}

TEST(Threads, EachThreadTrainsItsOwnModelEagerAndCompiledAsAloneOnes) {
  // Weights and data drawn up front (the generator is shared); what one thread computes alone
  // is the reference for the same work among eight.
  manual_seed(11);
  struct Work {
    Tensor w, b, x, y;
  };
  std::vector<Work> work;
  for (int t = 0; t < kThreads; ++t) work.push_back({randn({3, 8}) * 0.3, randn({3}) * 0.3, randn({32, 8}), randn({32, 3})});
  auto train = [&](int t) {
    bool compiled = t % 2 == 1;
    nn::Linear model(8, 3);
    {
      NoGradGuard g;
      model->weight.copy_(work[t].w);
      model->bias.copy_(work[t].b);
    }
    optim::Adam opt(model->parameters(), optim::AdamOptions(1e-2));
    auto body = [&](const Tensor& xb, const Tensor& yb) {
      opt.zero_grad();
      Tensor loss = nn::functional::mse_loss(model->forward(xb), yb);
      loss.backward();
      opt.step();
      return loss;
    };
    auto step = compile(body);
    std::vector<Tensor> losses;
    for (int i = 0; i < 20; ++i) losses.push_back(compiled ? step(work[t].x, work[t].y) : body(work[t].x, work[t].y));
    losses.push_back(model->weight.detach().clone());
    return losses;
  };
  std::vector<std::vector<Tensor>> alone;
  for (int t = 0; t < kThreads; ++t) alone.push_back(train(t));
  std::vector<std::vector<Tensor>> together(kThreads);
  on_threads([&](int t) { together[t] = train(t); });
  for (int t = 0; t < kThreads; ++t)
    for (size_t i = 0; i < alone[t].size(); ++i)
      EXPECT_TRUE(bitwise_equal(together[t][i], alone[t][i])) << "thread " << t << " step " << i;
}

TEST(Threads, RandomDrawsFromManyThreadsNeverOverlap) {
  manual_seed(9);
  std::vector<std::vector<Tensor>> draws(kThreads);
  on_threads([&](int t) {
    for (int i = 0; i < 100; ++i) draws[t].push_back(rand({64}));
  });
  // The generator hands each draw its own counter range: no two draws are the same numbers.
  std::set<float> firsts;
  size_t total = 0;
  for (const auto& per_thread : draws)
    for (const auto& d : per_thread) {
      firsts.insert(d[0].item<float>());
      ++total;
    }
  EXPECT_EQ(firsts.size(), total);
}

TEST(Threads, ConvolutionsFromEightThreadsMatchOneThread) {
  // oneDNN primitives are cached and run in whichever thread calls: each run has its own
  // scratchpad (kernels/cpu/dnnl_context.cpp), or threads corrupt each other's results.
  manual_seed(12);
  std::vector<Tensor> xs, ws;
  for (int t = 0; t < kThreads; ++t) {
    xs.push_back(randn({2, 3, 12, 12}));
    ws.push_back(randn({4, 3, 3, 3}));
  }
  auto work = [&](int t) {
    Tensor w = ws[t].clone().requires_grad_(true);
    Tensor y = conv2d(xs[t], w, {}, 1, 1);
    (y * y).sum().backward();
    return std::vector<Tensor>{y.detach(), w.grad()};
  };
  std::vector<std::vector<Tensor>> alone;
  for (int t = 0; t < kThreads; ++t) alone.push_back(work(t));
  std::atomic<int> mismatches{0};
  on_threads([&](int t) {
    for (int i = 0; i < 50; ++i) {
      auto got = work(t);
      if (!got[0].equal(alone[t][0]) || !got[1].equal(alone[t][1])) ++mismatches;
    }
  });
  EXPECT_EQ(mismatches.load(), 0);
}
