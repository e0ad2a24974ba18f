// Embedding / EmbeddingBag and their functional forms (include/ember/nn/embedding.h).
#include "ember/nn/embedding.h"

#include <algorithm>
#include <limits>
#include <ostream>
#include <vector>

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "ember/nn/init.h"
#include "frontend/torch_type_names.h"

namespace ember {

namespace {

void check_indices(const Tensor& indices, const char* op) {
  EMBER_CHECK(indices.dtype() == kInt64 || indices.dtype() == kInt32,
              "Expected tensor for argument #1 'indices' to have one of the following scalar "
              "types: Long, Int; but got ", torch_type_name(indices.dtype()),
              " instead (while checking arguments for ", op, ")");
}

// libtorch's CPU message for an index outside [0, rows). Read on the host only where that is
// free (CPU, not traced); on CUDA index_select's own check reports it.
void check_range(const Tensor& flat, int64_t rows) {
  if (!flat.is_cpu() || flat.is_symbolic() || flat.numel() == 0) return;
  Tensor h = flat.to(kInt64).contiguous();
  const int64_t* p = h.data_ptr<int64_t>();
  for (int64_t i = 0; i < h.numel(); ++i) EMBER_CHECK(p[i] >= 0 && p[i] < rows, "index out of range in self");
}

void check_not_sparse(bool sparse) {
  EMBER_CHECK(!sparse, "Embedding: sparse=true is not supported by ember (its gradients are dense "
              "tensors); use sparse=false");
}

int64_t normalised_padding(const std::optional<int64_t>& padding_idx, int64_t n) {
  if (!padding_idx) return -1;
  int64_t p = *padding_idx;
  if (p > 0) EMBER_CHECK(p < n, "Padding_idx must be within num_embeddings");
  else if (p < 0) EMBER_CHECK(p >= -n, "Padding_idx must be within num_embeddings");
  return p < 0 ? p + n : p;
}

// Same values; the gradient of each looked-up row divided by its index's count.
Tensor scale_by_freq(const Tensor& rows, const Tensor& flat, int64_t num) {
  TensorOptions o = TensorOptions().dtype(rows.dtype()).device(rows.device());
  Tensor counts = zeros({num}, o).index_add(0, flat, ones_like(flat, o));
  Tensor scale = counts.index_select(0, flat).reciprocal().unsqueeze(1);
  Tensor fixed = rows.detach();
  return fixed + (rows - fixed) * scale;
}

const char* mode_str(const nn::EmbeddingBagMode& m) {
  return m == kSum ? "sum" : m == kMean ? "mean" : "max";
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices, int64_t padding_idx,
                 bool scale_grad_by_freq, bool sparse) {
  check_not_sparse(sparse);
  check_indices(indices, "embedding");
  EMBER_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  Tensor flat = indices.reshape({-1});
  check_range(flat, weight.sizes()[0]);
  Tensor rows = weight.index_select(0, flat);
  bool tracked = GradMode::is_enabled() && weight.requires_grad();
  if (tracked && padding_idx >= 0) {
    // The padding rows' lookups read a detached weight: the same values, no gradient.
    Tensor pad = flat.eq(padding_idx).unsqueeze(1);
    rows = where(pad, weight.detach().index_select(0, flat), rows);
  }
  if (tracked && scale_grad_by_freq) {
    // Same values (rows - rows is 0), gradient scaled by 1 / count of the row's index.
    rows = scale_by_freq(rows, flat, weight.sizes()[0]);
  }
  DimVector shape = indices.sizes();
  shape.push_back(weight.sizes()[1]);
  return rows.view(shape);
}

Tensor embedding_renorm_(const Tensor& self, const Tensor& indices, double max_norm, double norm_type) {
  check_indices(indices, "embedding_renorm_");
  EMBER_CHECK(self.dim() == 2, "embedding_renorm_: 'self' must be 2-D");
  NoGradGuard no_grad;
  Tensor flat = indices.reshape({-1});
  check_range(flat, self.sizes()[0]);
  if (flat.numel() == 0) return self;
  Tensor rows = self.index_select(0, flat);
  Tensor norms = rows.norm(norm_type, {1}, /*keepdim=*/true);
  // libtorch's factor: max_norm / (norm + 1e-7), for rows above max_norm only. A repeated index
  // writes the same row twice.
  Tensor scale = where(norms.gt(max_norm), max_norm / (norms + 1e-7), 1.0).to(self.dtype());
  self.index_put_({flat}, rows * scale);
  return self;
}

namespace nn {
namespace functional {

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& o) {
  check_not_sparse(o.sparse());
  check_indices(input, "embedding");
  EMBER_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  int64_t pad = normalised_padding(o.padding_idx(), weight.sizes()[0]);
  if (o.max_norm()) embedding_renorm_(weight, input.contiguous(), *o.max_norm(), o.norm_type());
  return ember::embedding(weight, input, pad, o.scale_grad_by_freq(), o.sparse());
}

Tensor embedding_bag(const Tensor& input, const Tensor& weight, const EmbeddingBagFuncOptions& o) {
  check_not_sparse(o.sparse());
  check_indices(input, "embedding_bag");
  EMBER_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  const Tensor& psw = o.per_sample_weights();
  const int64_t D = weight.sizes()[1];
  if (psw.defined()) {
    EMBER_CHECK(o.mode() == kSum, "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                "supported for mode='sum' (got mode='", mode_str(o.mode()), "'). Please open a feature request on GitHub.");
    EMBER_CHECK(psw.sizes() == input.sizes(), "embedding_bag: If per_sample_weights (", shape_str(psw.sizes()),
                ") is not None, then it must have the same shape as the input (", shape_str(input.sizes()), ")");
  }
  int64_t pad = normalised_padding(o.padding_idx(), weight.sizes()[0]);
  Tensor flat = input.reshape({-1});
  check_range(flat, weight.sizes()[0]);
  if (o.max_norm()) embedding_renorm_(weight, flat, *o.max_norm(), o.norm_type());
  Tensor rows = weight.index_select(0, flat);  // [T, D]
  if (o.scale_grad_by_freq() && GradMode::is_enabled() && weight.requires_grad())
    rows = scale_by_freq(rows, flat, weight.sizes()[0]);
  const int64_t T = flat.numel();
  TensorOptions fo = TensorOptions().dtype(weight.dtype()).device(weight.device());
  Tensor valid = pad >= 0 ? flat.ne(pad) : Tensor();  // [T] bool
  Tensor w;  // per-row factor for sums: per_sample_weights and the padding mask
  if (psw.defined()) w = psw.reshape({-1}).to(weight.dtype());
  if (valid.defined()) w = w.defined() ? w * valid.to(weight.dtype()) : valid.to(weight.dtype());

  if (input.dim() == 2) {
    EMBER_CHECK(!o.offsets().defined(), "If input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type Tensor");
    const int64_t B = input.sizes()[0], L = input.sizes()[1];
    Tensor r = rows.view({B, L, D});
    Tensor count = valid.defined() ? valid.view({B, L}).sum({1}).to(weight.dtype()) : full({B}, static_cast<double>(L), fo);
    if (o.mode() == kMax) {
      if (valid.defined()) r = r.masked_fill(valid.view({B, L, 1}).logical_not(), -std::numeric_limits<double>::infinity());
      if (L == 0) return zeros({B, D}, fo);
      return where(count.gt(0).unsqueeze(1), r.amax({1}), 0.0);
    }
    Tensor sum = w.defined() ? (r * w.view({B, L, 1})).sum({1}) : r.sum({1});
    if (o.mode() == kSum) return sum;
    return sum / count.clamp_min(1).unsqueeze(1);
  }
  EMBER_CHECK(input.dim() == 1, "input has to be 1D or 2D Tensor, but got Tensor of dimension ", input.dim());
  const Tensor& offsets = o.offsets();
  EMBER_CHECK(offsets.defined(), "offsets has to be a 1D Tensor but got null");
  EMBER_CHECK(offsets.dim() == 1, "offsets has to be a 1D Tensor");
  check_indices(offsets, "embedding_bag");
  const int64_t B = o.include_last_offset() ? offsets.numel() - 1 : offsets.numel();
  EMBER_CHECK(B >= 0, "include_last_offset: number of offset should be at least 1");
  if (offsets.is_cpu() && !offsets.is_symbolic() && offsets.numel() > 0) {
    Tensor h = offsets.to(kInt64).contiguous();
    const int64_t* p = h.data_ptr<int64_t>();
    EMBER_CHECK(p[0] == 0, "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                "position 0. However, got ", p[0]);
    for (int64_t b = 0; b < h.numel(); ++b) {
      EMBER_CHECK(p[b] <= T, "offsets[", b, "] is out of bounds");
      EMBER_CHECK(b == 0 || p[b] >= p[b - 1], "offsets[", b, "] is smaller than offsets[", b - 1, "]");
    }
  }
  Tensor off = offsets.to(kInt64);
  // bag[t] = how many of offsets[1:B] are <= t: a mark at each bag start, then a running sum.
  TensorOptions io = TensorOptions().dtype(kInt64).device(weight.device());
  Tensor marks = zeros({T + 1}, io);
  if (B > 1) {
    Tensor starts = off.narrow(0, 1, B - 1);
    marks = marks.index_add(0, starts, ones_like(starts));
  }
  Tensor bag = marks.narrow(0, 0, T).cumsum(0);
  Tensor count = valid.defined() ? valid.to(weight.dtype()) : ones({T}, fo);
  Tensor counts = zeros({B}, fo).index_add(0, bag, count);
  if (o.mode() == kMax) {
    // The bags as [B, longest] positions (offsets read on the host), padded entries at -inf.
    Tensor h = off.cpu().contiguous();
    const int64_t* p = h.data_ptr<int64_t>();
    std::vector<int64_t> start(B), len(B);
    int64_t longest = 0;
    for (int64_t b = 0; b < B; ++b) {
      start[b] = p[b];
      len[b] = (b + 1 < h.numel() ? p[b + 1] : T) - p[b];
      longest = std::max(longest, len[b]);
    }
    if (longest == 0 || B == 0) return zeros({B, D}, fo);
    std::vector<int64_t> pos(B * longest, 0);
    std::vector<uint8_t> in_bag(B * longest, 0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < len[b]; ++j) pos[b * longest + j] = start[b] + j, in_bag[b * longest + j] = 1;
    Tensor ptens = tensor(pos, TensorOptions().dtype(kInt64)).to(weight.device());
    Tensor mask = tensor(std::vector<int64_t>(in_bag.begin(), in_bag.end()), TensorOptions().dtype(kInt64))
                      .to(weight.device()).view({B, longest}).ne(0);
    if (valid.defined()) mask = mask.logical_and(valid.index_select(0, ptens).view({B, longest}));
    Tensor r = rows.index_select(0, ptens).view({B, longest, D})
                   .masked_fill(mask.unsqueeze(2).logical_not(), -std::numeric_limits<double>::infinity());
    return where(counts.gt(0).unsqueeze(1), r.amax({1}), 0.0);
  }
  Tensor src = w.defined() ? rows * w.unsqueeze(1) : rows;
  Tensor sum = zeros({B, D}, fo).index_add(0, bag, src);
  if (o.mode() == kSum) return sum;
  return sum / counts.clamp_min(1).unsqueeze(1);
}

}  // namespace functional

namespace {

void init_embedding_weight(const Tensor& weight, const std::optional<int64_t>& padding_idx) {
  init::normal_(weight);
  if (padding_idx) {
    NoGradGuard no_grad;
    weight[*padding_idx].fill_(0);
  }
}

// The weight of Embedding and EmbeddingBag: a fresh N(0, 1) parameter with a zero padding row,
// or a new handle on the given _weight (libtorch registers the tensor itself; a new handle lets
// clone() give the copy its own data instead of re-pointing the shared tensor).
Tensor register_embedding_weight(Module& m, const Tensor& given, int64_t num, int64_t dim,
                                 const std::optional<int64_t>& padding_idx, const char* shape_message) {
  if (given.defined()) {
    EMBER_CHECK(given.dim() == 2 && given.sizes()[0] == num && given.sizes()[1] == dim, shape_message);
    return m.register_parameter("weight", given.detach());
  }
  Tensor w = m.register_parameter("weight", empty({num, dim}));
  init_embedding_weight(w, padding_idx);
  return w;
}

}  // namespace

EmbeddingImpl::EmbeddingImpl(EmbeddingOptions o) : options(std::move(o)) { reset(); }

void EmbeddingImpl::reset() {
  check_not_sparse(options.sparse());
  EMBER_CHECK(options.num_embeddings() >= 0 && options.embedding_dim() >= 0,
              "Embedding: num_embeddings and embedding_dim must be non-negative");
  if (options.padding_idx()) {
    int64_t& p = *options.padding_idx();
    if (p > 0) EMBER_CHECK(p < options.num_embeddings(), "Padding_idx must be within num_embeddings");
    else if (p < 0) {
      EMBER_CHECK(p >= -options.num_embeddings(), "Padding_idx must be within num_embeddings");
      p += options.num_embeddings();
    }
  }
  weight = register_embedding_weight(*this, options._weight(), options.num_embeddings(), options.embedding_dim(),
                                     options.padding_idx(), "Shape of _weight does not match num_embeddings and embedding_dim");
}

void EmbeddingImpl::reset_parameters() { init_embedding_weight(weight, options.padding_idx()); }

void EmbeddingImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::Embedding(num_embeddings=" << options.num_embeddings()
     << ", embedding_dim=" << options.embedding_dim();
  if (options.padding_idx()) os << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) os << ", max_norm=" << *options.max_norm();
  if (options.norm_type() != 2) os << ", norm_type=" << options.norm_type();
  if (options.scale_grad_by_freq()) os << ", scale_grad_by_freq=" << options.scale_grad_by_freq();
  if (options.sparse()) os << ", sparse=" << options.sparse();
  os << ")";
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  return functional::embedding(indices, weight,
                               functional::EmbeddingFuncOptions()
                                   .padding_idx(options.padding_idx())
                                   .max_norm(options.max_norm())
                                   .norm_type(options.norm_type())
                                   .scale_grad_by_freq(options.scale_grad_by_freq())
                                   .sparse(options.sparse()));
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, const EmbeddingFromPretrainedOptions& o) {
  EMBER_CHECK(embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional");
  Embedding e(EmbeddingOptions(embeddings.sizes()[0], embeddings.sizes()[1])
                  ._weight(embeddings)
                  .padding_idx(o.padding_idx())
                  .max_norm(o.max_norm())
                  .norm_type(o.norm_type())
                  .scale_grad_by_freq(o.scale_grad_by_freq())
                  .sparse(o.sparse()));
  e->weight.set_requires_grad(!o.freeze());
  return e;
}

EmbeddingBagImpl::EmbeddingBagImpl(EmbeddingBagOptions o) : options(std::move(o)) { reset(); }

void EmbeddingBagImpl::reset() {
  check_not_sparse(options.sparse());
  if (options.padding_idx()) *options.padding_idx() = normalised_padding(options.padding_idx(), options.num_embeddings());
  weight = register_embedding_weight(*this, options._weight(), options.num_embeddings(), options.embedding_dim(),
                                     options.padding_idx(), "Shape of weight does not match num_embeddings and embedding_dim");
}

void EmbeddingBagImpl::reset_parameters() { init_embedding_weight(weight, options.padding_idx()); }

void EmbeddingBagImpl::pretty_print(std::ostream& os) const {
  os << std::boolalpha << "torch::nn::EmbeddingBag(num_embeddings=" << options.num_embeddings()
     << ", embedding_dim=" << options.embedding_dim();
  if (options.max_norm()) os << ", max_norm=" << *options.max_norm();
  if (options.norm_type() != 2) os << ", norm_type=" << options.norm_type();
  if (options.scale_grad_by_freq()) os << ", scale_grad_by_freq=" << options.scale_grad_by_freq();
  if (options.sparse()) os << ", sparse=" << options.sparse();
  if (!(options.mode() == kMean)) os << ", mode=" << enum_name(options.mode().name());
  if (options.include_last_offset()) os << ", include_last_offset=" << options.include_last_offset();
  if (options.padding_idx()) os << ", padding_idx=" << *options.padding_idx();
  os << ")";
}

Tensor EmbeddingBagImpl::forward(const Tensor& input, const Tensor& offsets, const Tensor& per_sample_weights) {
  return functional::embedding_bag(input, weight,
                                   functional::EmbeddingBagFuncOptions()
                                       .offsets(offsets)
                                       .max_norm(options.max_norm())
                                       .norm_type(options.norm_type())
                                       .scale_grad_by_freq(options.scale_grad_by_freq())
                                       .mode(options.mode())
                                       .sparse(options.sparse())
                                       .per_sample_weights(per_sample_weights)
                                       .include_last_offset(options.include_last_offset())
                                       .padding_idx(options.padding_idx()));
}

EmbeddingBag EmbeddingBag::from_pretrained(const Tensor& embeddings, const EmbeddingBagFromPretrainedOptions& o) {
  EMBER_CHECK(embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional");
  EmbeddingBag e(EmbeddingBagOptions(embeddings.sizes()[0], embeddings.sizes()[1])
                     ._weight(embeddings)
                     .max_norm(o.max_norm())
                     .norm_type(o.norm_type())
                     .scale_grad_by_freq(o.scale_grad_by_freq())
                     .mode(o.mode())
                     .sparse(o.sparse())
                     .include_last_offset(o.include_last_offset())
                     .padding_idx(o.padding_idx()));
  e->weight.set_requires_grad(!o.freeze());
  return e;
}

}  // namespace nn
}  // namespace ember
