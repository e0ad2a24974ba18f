// Losses (ember/nn/loss_functional.h, nn/losses.h) and the distances: values against
// reference formulas written out in double, reductions, gradients in float64, libtorch's
// errors and pretty_print; cross_entropy with class-probability targets.
#include <cmath>
#include <limits>
#include <sstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;
namespace F = ember::nn::functional;

namespace {

TensorOptions d64() { return TensorOptions().dtype(kFloat64); }
Tensor f64(const std::vector<double>& v) { return tensor(v, d64()); }
double sum(const std::vector<double>& v) {
  double s = 0;
  for (double d : v) s += d;
  return s;
}
double mean(const std::vector<double>& v) { return sum(v) / v.size(); }
double item(const Tensor& t) { return t.item().to_double(); }
double log_sigmoid(double x) { return x < 0 ? x - std::log1p(std::exp(x)) : -std::log1p(std::exp(-x)); }

using autograd::gradcheck;
using TL = std::vector<Tensor>;
Tensor leaf(const Tensor& t) { return t.detach().to(kFloat64).requires_grad_(true); }

// The three reductions of `fn` against the per-element reference `ref`.
void check_reductions(const std::function<Tensor(Reduction)>& fn, const std::vector<double>& ref, double tol = 1e-12) {
  EXPECT_TRUE(close(fn(kNone).flatten(), f64(ref), tol, tol));
  EXPECT_NEAR(item(fn(kSum)), sum(ref), tol * (1 + std::fabs(sum(ref))));
  EXPECT_NEAR(item(fn(kMean)), mean(ref), tol * (1 + std::fabs(mean(ref))));
}

std::string str(const nn::Module& m) {
  std::ostringstream os;
  m.pretty_print(os);
  return os.str();
}

}  // namespace

TEST(Losses, BinaryCrossEntropy) {
  std::vector<double> x = {0.1, 0.7, 0.999, 0.0, 1.0, 0.5}, y = {0, 1, 0.3, 0, 1, 1}, w = {1, 2, 0.5, 1, 1, 3};
  std::vector<double> ref;
  for (size_t i = 0; i < x.size(); ++i) {
    double lx = std::max(std::log(x[i]), -100.0), l1x = std::max(std::log(1 - x[i]), -100.0);
    ref.push_back(-w[i] * (y[i] * lx + (1 - y[i]) * l1x));
  }
  check_reductions([&](Reduction r) {
    return F::binary_cross_entropy(f64(x), f64(y), F::BinaryCrossEntropyFuncOptions().weight(f64(w)).reduction(r));
  }, ref);
  // 0 and 1 give finite losses (the logs are clamped at -100), as libtorch.
  EXPECT_EQ(item(F::binary_cross_entropy(f64({0.0}), f64({1.0}))), 100.0);
  EXPECT_EMBER_ERROR(F::binary_cross_entropy(f64({1.5}), f64({1.0})), "all elements of input should be between 0 and 1");
  EXPECT_EMBER_ERROR(F::binary_cross_entropy(f64({0.5, 0.2}), f64({1.0})), "Using a target size ([1]) that is "
                     "different to the input size ([2]) is deprecated. Please ensure they have the same size.");
  Tensor xi = leaf(f64({0.2, 0.6, 0.9})), yi = f64({0, 1, 0.25});
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::binary_cross_entropy(t[0], yi); }, {xi}));
  nn::BCELoss m;
  EXPECT_NEAR(item(m(f64(x), f64(y))), mean([&] {
    std::vector<double> r;
    for (size_t i = 0; i < x.size(); ++i) r.push_back(ref[i] / w[i]);
    return r;
  }()), 1e-12);
  EXPECT_EQ(str(*m), "torch::nn::BCELoss()");
}

TEST(Losses, BinaryCrossEntropyWithLogitsIsStable) {
  std::vector<double> x = {-3, -0.5, 0, 2, 50, -50, 800, -800}, y = {0, 1, 0.5, 1, 0, 1, 1, 0};
  std::vector<double> pw = {1, 2, 3, 0.5, 1, 2, 3, 0.5}, ref;
  for (size_t i = 0; i < x.size(); ++i) {
    double lw = 1 + (pw[i] - 1) * y[i];
    ref.push_back((1 - y[i]) * x[i] - lw * log_sigmoid(x[i]));
  }
  check_reductions([&](Reduction r) {
    return F::binary_cross_entropy_with_logits(f64(x), f64(y),
        F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(f64(pw)).reduction(r));
  }, ref);
  // Large logits: no inf, no NaN.
  EXPECT_EQ(item(F::binary_cross_entropy_with_logits(f64({800}), f64({1}))), 0);
  EXPECT_EQ(item(F::binary_cross_entropy_with_logits(f64({-800}), f64({1}))), 800);
  // Equal to BCE of the sigmoid where that is accurate; weight rescales.
  Tensor xs = randn({4, 3}, d64()), ys = rand({4, 3}, d64()), ws = rand({3}, d64());
  EXPECT_TRUE(close(F::binary_cross_entropy_with_logits(xs, ys, F::BinaryCrossEntropyWithLogitsFuncOptions().weight(ws)),
                    F::binary_cross_entropy(xs.sigmoid(), ys, F::BinaryCrossEntropyFuncOptions().weight(ws)), 1e-10, 1e-12));
  // pos_weight broadcasts over the classes (the last dim).
  Tensor p = f64({1, 2, 3});
  Tensor xl = leaf(xs), pl = leaf(p);
  EXPECT_NO_THROW(gradcheck([&](const TL& t) {
    return F::binary_cross_entropy_with_logits(t[0], ys, F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(t[1]));
  }, {xl, pl}));
  EXPECT_EMBER_ERROR(F::binary_cross_entropy_with_logits(xs, ys.narrow(0, 0, 2)),
                     "Target size ([2, 3]) must be the same as input size ([4, 3])");
  EXPECT_EQ(str(*nn::BCEWithLogitsLoss()), "torch::nn::BCEWithLogitsLoss()");
  // weight and pos_weight are the module's buffers (undefined ones are not listed).
  nn::BCEWithLogitsLoss m(nn::BCEWithLogitsLossOptions().pos_weight(p));
  ASSERT_EQ(m->buffers().size(), 1u);
  EXPECT_EQ(m->named_buffers().keys()[0], "pos_weight");
  EXPECT_EQ(m->buffers()[0].data_ptr(), p.data_ptr());
  EXPECT_EQ(nn::BCELoss(nn::BCELossOptions().weight(ws))->buffers().size(), 1u);
}

TEST(Losses, SmoothL1AndHuber) {
  std::vector<double> x = {0.1, -2.0, 3.0, 0.5, -0.25}, y = {0.0, 0.0, 1.0, 0.7, 1.0};
  for (double beta : {1.0, 0.5, 0.0}) {
    std::vector<double> ref;
    for (size_t i = 0; i < x.size(); ++i) {
      double z = std::fabs(x[i] - y[i]);
      ref.push_back(beta == 0 ? z : (z < beta ? 0.5 * z * z / beta : z - 0.5 * beta));
    }
    check_reductions([&](Reduction r) {
      return F::smooth_l1_loss(f64(x), f64(y), F::SmoothL1LossFuncOptions().beta(beta).reduction(r));
    }, ref);
  }
  for (double delta : {1.0, 0.3, 2.5}) {
    std::vector<double> ref;
    for (size_t i = 0; i < x.size(); ++i) {
      double z = std::fabs(x[i] - y[i]);
      ref.push_back(z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta));
    }
    check_reductions([&](Reduction r) {
      return F::huber_loss(f64(x), f64(y), F::HuberLossFuncOptions().delta(delta).reduction(r));
    }, ref);
  }
  Tensor a = leaf(f64(x));
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::smooth_l1_loss(t[0], f64(y)); }, {a}));
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::huber_loss(t[0], f64(y), F::HuberLossFuncOptions().delta(0.3)); }, {a}));
  EXPECT_EMBER_ERROR(F::smooth_l1_loss(a, a, F::SmoothL1LossFuncOptions().beta(-1)),
                     "smooth_l1_loss does not support negative values for beta.");
  EXPECT_EMBER_ERROR(F::huber_loss(a, a, F::HuberLossFuncOptions().delta(0)),
                     "huber_loss does not support non-positive values for delta.");
  EXPECT_EQ(str(*nn::HuberLoss()), "torch::nn::HuberLoss()");
  EXPECT_EQ(str(*nn::SmoothL1Loss()), "torch::nn::SmoothL1Loss");
}

TEST(Losses, KLDiv) {
  std::vector<double> x = {-1.2, -0.3, -2.5, -0.7, -1.0, -0.1}, y = {0.2, 0.5, 0.0, 0.3, 0.6, 0.1};
  std::vector<double> ref, ref_log;
  for (size_t i = 0; i < x.size(); ++i) {
    ref.push_back(y[i] == 0 ? -y[i] * x[i] : y[i] * (std::log(y[i]) - x[i]));
    ref_log.push_back(std::exp(x[i] + 0.1) * ((x[i] + 0.1) - x[i]));
  }
  Tensor in = f64(x).reshape({2, 3}), tg = f64(y).reshape({2, 3});
  check_reductions([&](Reduction r) { return F::kl_div(in, tg, F::KLDivFuncOptions(r)); }, ref);
  EXPECT_NEAR(item(F::kl_div(in, tg, F::KLDivFuncOptions(kBatchMean))), sum(ref) / 2, 1e-12);
  EXPECT_NEAR(item(F::kl_div(in, in + 0.1, F::KLDivFuncOptions(kSum).log_target(true))), sum(ref_log), 1e-12);
  // A zero target contributes 0 and no NaN gradient.
  Tensor il = leaf(in), tl = leaf(tg);
  Tensor l = F::kl_div(il, tl, F::KLDivFuncOptions(kSum));
  l.backward();
  for (double g : values(tl.grad())) EXPECT_FALSE(std::isnan(g));
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::kl_div(t[0], tg, F::KLDivFuncOptions(kBatchMean)); }, {il}));
  nn::KLDivLoss m{nn::KLDivLossOptions(kBatchMean)};
  EXPECT_NEAR(item(m(in, tg)), sum(ref) / 2, 1e-12);
  EXPECT_EQ(str(*m), "torch::nn::KLDivLoss()");
}

TEST(Losses, MarginRankingHingeSoftMargin) {
  std::vector<double> a = {0.6, -1.0, 2.0, 0.1}, b = {0.2, 0.3, 2.5, -0.4}, y = {1, -1, 1, -1};
  std::vector<double> ref_rank, ref_hinge, ref_soft;
  for (size_t i = 0; i < a.size(); ++i) {
    ref_rank.push_back(std::max(0.0, -y[i] * (a[i] - b[i]) + 0.3));
    ref_hinge.push_back(y[i] == 1 ? a[i] : std::max(0.0, 1.5 - a[i]));
    ref_soft.push_back(std::log1p(std::exp(-y[i] * a[i])));
  }
  check_reductions([&](Reduction r) {
    return F::margin_ranking_loss(f64(a), f64(b), f64(y), F::MarginRankingLossFuncOptions().margin(0.3).reduction(r));
  }, ref_rank);
  check_reductions([&](Reduction r) {
    return F::hinge_embedding_loss(f64(a), f64(y), F::HingeEmbeddingLossFuncOptions().margin(1.5).reduction(r));
  }, ref_hinge);
  check_reductions([&](Reduction r) { return F::soft_margin_loss(f64(a), f64(y), F::SoftMarginLossFuncOptions(r)); },
                   ref_soft);
  Tensor al = leaf(f64(a)), bl = leaf(f64(b));
  EXPECT_NO_THROW(gradcheck([&](const TL& t) {
    return F::margin_ranking_loss(t[0], t[1], f64(y), F::MarginRankingLossFuncOptions().margin(0.3));
  }, {al, bl}));
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::soft_margin_loss(t[0], f64(y)); }, {al}));
  EXPECT_EMBER_ERROR(F::margin_ranking_loss(f64(a), f64(b), f64(y).reshape({2, 2})),
                     "margin_ranking_loss : All input tensors should have same dimension");
  nn::MarginRankingLoss m(nn::MarginRankingLossOptions().margin(0.3));
  EXPECT_NEAR(item(m(f64(a), f64(b), f64(y))), mean(ref_rank), 1e-12);
  EXPECT_EQ(str(*nn::HingeEmbeddingLoss()), "torch::nn::HingeEmbeddingLoss(margin=1)");
  EXPECT_EQ(str(*m), "torch::nn::MarginRankingLoss()");
  EXPECT_EQ(str(*nn::SoftMarginLoss()), "torch::nn::SoftMarginLoss()");
}

TEST(Losses, MultiLabelSoftMargin) {
  Tensor x = randn({3, 4}, d64()), y = (rand({3, 4}, d64()) < 0.5).to(kFloat64), w = rand({4}, d64());
  std::vector<double> vx = values(x), vy = values(y), vw = values(w), ref;
  for (int n = 0; n < 3; ++n) {
    double s = 0;
    for (int c = 0; c < 4; ++c) {
      double xi = vx[n * 4 + c], yi = vy[n * 4 + c];
      s += -vw[c] * (yi * log_sigmoid(xi) + (1 - yi) * log_sigmoid(-xi));
    }
    ref.push_back(s / 4);
  }
  check_reductions([&](Reduction r) {
    return F::multilabel_soft_margin_loss(x, y, F::MultilabelSoftMarginLossFuncOptions(r).weight(w));
  }, ref);
  Tensor xl = leaf(x);
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::multilabel_soft_margin_loss(t[0], y); }, {xl}));
  EXPECT_EQ(str(*nn::MultiLabelSoftMarginLoss()), "torch::nn::MultiLabelSoftMarginLoss()");
}

TEST(Losses, MultiLabelMargin) {
  // Row 0: targets {3, 0} (then -1 ends the list); row 1: target {1}; the trailing 2 of row
  // 1 comes after the -1 and is ignored.
  Tensor x = f64({0.1, 0.2, 0.4, 0.8, -0.3, 0.9, 0.05, 0.6}).reshape({2, 4});
  Tensor y = tensor({{3, 0, -1, 1}, {1, -1, 2, 0}}, TensorOptions().dtype(kInt64));
  std::vector<double> vx = values(x);
  std::vector<std::vector<int>> targets = {{3, 0}, {1}};
  std::vector<double> ref;
  for (int n = 0; n < 2; ++n) {
    double s = 0;
    for (int j : targets[n])
      for (int i = 0; i < 4; ++i) {
        bool is_t = false;
        for (int k : targets[n]) is_t |= k == i;
        if (!is_t) s += std::max(0.0, 1 - (vx[n * 4 + j] - vx[n * 4 + i]));
      }
    ref.push_back(s / 4);
  }
  check_reductions([&](Reduction r) { return F::multilabel_margin_loss(x, y, F::MultilabelMarginLossFuncOptions(r)); },
                   ref);
  EXPECT_NEAR(item(F::multilabel_margin_loss(x[0], y[0])), ref[0], 1e-12);  // unbatched
  Tensor xl = leaf(x);
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::multilabel_margin_loss(t[0], y); }, {xl}));
  EXPECT_EMBER_ERROR(F::multilabel_margin_loss(x, y.to(kFloat64)), "expected target of dtype int64");
  EXPECT_EMBER_ERROR(F::multilabel_margin_loss(x, y.narrow(1, 0, 2)), "inconsistent target size: [2, 2] for input of size: [2, 4]");
  EXPECT_EQ(str(*nn::MultiLabelMarginLoss()), "torch::nn::MultiLabelMarginLoss()");
}

TEST(Losses, CosineEmbedding) {
  Tensor a = randn({4, 5}, d64()), b = randn({4, 5}, d64());
  Tensor y = f64({1, -1, 1, -1});
  std::vector<double> va = values(a), vb = values(b), ref;
  for (int n = 0; n < 4; ++n) {
    double p = 0, ma = 1e-12, mb = 1e-12;
    for (int k = 0; k < 5; ++k) {
      p += va[n * 5 + k] * vb[n * 5 + k];
      ma += va[n * 5 + k] * va[n * 5 + k];
      mb += vb[n * 5 + k] * vb[n * 5 + k];
    }
    double c = p / std::sqrt(ma * mb);
    ref.push_back(n % 2 == 0 ? 1 - c : std::max(0.0, c - 0.2));
  }
  check_reductions([&](Reduction r) {
    return F::cosine_embedding_loss(a, b, y, F::CosineEmbeddingLossFuncOptions().margin(0.2).reduction(r));
  }, ref);
  EXPECT_NEAR(item(F::cosine_embedding_loss(a[0], b[0], f64({1}).reshape({}))), ref[0], 1e-12);
  Tensor al = leaf(a), bl = leaf(b);
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::cosine_embedding_loss(t[0], t[1], y); }, {al, bl}));
  EXPECT_EMBER_ERROR(F::cosine_embedding_loss(a, b, y.reshape({2, 2})), "0D or 1D target tensor expected");
  EXPECT_EMBER_ERROR(F::cosine_embedding_loss(a[0], b[0], y), "1D target tensor expects 2D input tensors");
  EXPECT_EQ(str(*nn::CosineEmbeddingLoss()), "torch::nn::CosineEmbeddingLoss(margin=0)");
}

TEST(Losses, TripletMarginAndDistances) {
  Tensor a = randn({3, 4}, d64()), p = randn({3, 4}, d64()), n = randn({3, 4}, d64());
  auto dist = [](const Tensor& x, const Tensor& y, double pn) {
    std::vector<double> vx = values(x), vy = values(y), out;
    for (int r = 0; r < 3; ++r) {
      double s = 0;
      for (int k = 0; k < 4; ++k) s += std::pow(std::fabs(vx[r * 4 + k] - vy[r * 4 + k] + 1e-6), pn);
      out.push_back(std::pow(s, 1 / pn));
    }
    return out;
  };
  for (double pn : {2.0, 1.0}) {
    for (bool swap : {false, true}) {
      std::vector<double> dp = dist(a, p, pn), dn = dist(a, n, pn), ds = dist(p, n, pn), ref;
      for (int r = 0; r < 3; ++r) ref.push_back(std::max(0.0, 1.0 + dp[r] - (swap ? std::min(dn[r], ds[r]) : dn[r])));
      check_reductions([&](Reduction red) {
        return F::triplet_margin_loss(a, p, n, F::TripletMarginLossFuncOptions().p(pn).swap(swap).reduction(red));
      }, ref, 1e-10);
    }
  }
  EXPECT_TRUE(close(F::pairwise_distance(a, p), f64(dist(a, p, 2)), 1e-12, 1e-12));
  Tensor al = leaf(a), pl = leaf(p), nl = leaf(n);
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::triplet_margin_loss(t[0], t[1], t[2]); }, {al, pl, nl}));
  // cosine similarity and normalize against their definitions.
  Tensor cs = F::cosine_similarity(a, p);
  EXPECT_TRUE(close(cs, (a * p).sum({1}) / (a.norm(2, {1}) * p.norm(2, {1})), 1e-12, 1e-12));
  EXPECT_TRUE(close(F::cosine_similarity(a, p, F::CosineSimilarityFuncOptions().dim(0)),
                    (a * p).sum({0}) / (a.norm(2, {0}) * p.norm(2, {0})), 1e-12, 1e-12));
  Tensor nz = F::normalize(a);
  EXPECT_TRUE(close(nz.norm(2, {1}), ones({3}, d64()), 1e-12, 1e-12));
  EXPECT_TRUE(close(F::normalize(zeros({2, 3})), zeros({2, 3})));  // eps keeps 0 / 0 away
  EXPECT_NO_THROW(gradcheck([](const TL& t) { return F::normalize(t[0], F::NormalizeFuncOptions().dim(0)); }, {al}));
  EXPECT_EQ(str(*nn::TripletMarginLoss()), "torch::nn::TripletMarginLoss(margin=1, p=2, eps=1e-06, swap=false)");
  EXPECT_EQ(str(*nn::CosineSimilarity()), "torch::nn::CosineSimilarity(dim=1, eps=1e-08)");
  EXPECT_EQ(str(*nn::PairwiseDistance()), "torch::nn::PairwiseDistance(p=2, eps=1e-06, keepdim=false)");
  nn::PairwiseDistance pd(nn::PairwiseDistanceOptions().keepdim(true));
  EXPECT_EQ(pd(a, p).sizes(), Shape({3, 1}));
}

TEST(Losses, PoissonNLL) {
  std::vector<double> x = {0.5, -1.0, 2.0, 0.1}, y = {1.0, 0.0, 3.0, 2.0}, ref_log, ref_full, ref_lin;
  for (size_t i = 0; i < x.size(); ++i) {
    ref_log.push_back(std::exp(x[i]) - y[i] * x[i]);
    double st = y[i] > 1 ? y[i] * std::log(y[i]) - y[i] + 0.5 * std::log(2 * M_PI * y[i]) : 0;
    ref_full.push_back(ref_log.back() + st);
    double xp = std::fabs(x[i]);
    ref_lin.push_back(xp - y[i] * std::log(xp + 1e-8));
  }
  check_reductions([&](Reduction r) {
    return F::poisson_nll_loss(f64(x), f64(y), F::PoissonNLLLossFuncOptions().reduction(r));
  }, ref_log);
  check_reductions([&](Reduction r) {
    return F::poisson_nll_loss(f64(x), f64(y), F::PoissonNLLLossFuncOptions().full(true).reduction(r));
  }, ref_full);
  check_reductions([&](Reduction r) {
    return F::poisson_nll_loss(f64(x).abs(), f64(y), F::PoissonNLLLossFuncOptions().log_input(false).reduction(r));
  }, ref_lin);
  Tensor xl = leaf(f64(x));
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::poisson_nll_loss(t[0], f64(y)); }, {xl}));
  EXPECT_EQ(str(*nn::PoissonNLLLoss()), "torch::nn::PoissonNLLLoss()");
}

TEST(Losses, CrossEntropyWithProbabilityTargets) {
  Tensor x = randn({3, 4}, d64());
  Tensor y = softmax(randn({3, 4}, d64()), 1);
  Tensor w = f64({1, 2, 0.5, 1.5});
  std::vector<double> vx = values(x), vy = values(y), vw = values(w);
  for (double eps : {0.0, 0.1}) {
    std::vector<double> ref;
    for (int n = 0; n < 3; ++n) {
      double m = -1e300, s = 0;
      for (int c = 0; c < 4; ++c) m = std::max(m, vx[n * 4 + c]);
      for (int c = 0; c < 4; ++c) s += std::exp(vx[n * 4 + c] - m);
      double l = 0;
      for (int c = 0; c < 4; ++c) {
        double logp = vx[n * 4 + c] - m - std::log(s);
        double t = vy[n * 4 + c] * (1 - eps) + eps / 4;
        l -= vw[c] * t * logp;
      }
      ref.push_back(l);
    }
    // The mean divides by the batch size, not by the weights.
    check_reductions([&](Reduction r) {
      return F::cross_entropy(x, y, F::CrossEntropyFuncOptions(r).weight(w).label_smoothing(eps));
    }, ref);
  }
  // Equal to the class-index form for one-hot targets without weights.
  Tensor idx = tensor({2, 0, 3}, TensorOptions().dtype(kInt64));
  EXPECT_NEAR(item(F::cross_entropy(x, F::one_hot(idx, 4).to(kFloat64))), item(F::cross_entropy(x, idx)), 1e-12);
  // [N, C, d] inputs: the class dim is 1.
  Tensor x3 = randn({2, 3, 5}, d64()), y3 = softmax(randn({2, 3, 5}, d64()), 1);
  Tensor expect = (ember::log_softmax(x3, 1) * y3).sum({1}).neg().mean();
  EXPECT_NEAR(item(F::cross_entropy(x3, y3)), item(expect), 1e-12);
  Tensor xl = leaf(x);
  EXPECT_NO_THROW(gradcheck([&](const TL& t) { return F::cross_entropy(t[0], y); }, {xl}));
  EXPECT_EMBER_ERROR(F::cross_entropy(x, y, F::CrossEntropyFuncOptions().label_smoothing(1.5)),
                     "label_smoothing must be between 0.0 and 1.0");
  nn::CrossEntropyLoss m;
  EXPECT_NEAR(item(m(x, y)), item(F::cross_entropy(x, y)), 0);
}

TEST(Losses, OneHot) {
  Tensor t = tensor({{0, 2}, {1, 0}}, TensorOptions().dtype(kInt64));
  Tensor o = F::one_hot(t);
  EXPECT_EQ(o.sizes(), Shape({2, 2, 3}));
  EXPECT_EQ(o.dtype(), kInt64);
  EXPECT_EQ(values(o), (std::vector<double>{1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(F::one_hot(t, 5).sizes(), Shape({2, 2, 5}));
  EXPECT_EMBER_ERROR(F::one_hot(t, 2), "Class values must be smaller than num_classes.");
  EXPECT_EMBER_ERROR(F::one_hot(-t - 1), "Class values must be non-negative.");
  EXPECT_EMBER_ERROR(F::one_hot(t.to(kFloat32)), "one_hot is only applicable to index tensor.");
}

TEST(Losses, CudaMatchesCpu) {
  EMBER_REQUIRE_CUDA();
  Device cuda(kCUDA, 0);
  Tensor x = randn({4, 5}), y = rand({4, 5});
  EXPECT_TRUE(close(F::binary_cross_entropy_with_logits(x.to(cuda), y.to(cuda)), F::binary_cross_entropy_with_logits(x, y), 1e-5, 1e-6));
  EXPECT_TRUE(close(F::smooth_l1_loss(x.to(cuda), y.to(cuda)), F::smooth_l1_loss(x, y), 1e-5, 1e-6));
  EXPECT_TRUE(close(F::kl_div(x.to(cuda), y.to(cuda)), F::kl_div(x, y), 1e-5, 1e-6));
}
