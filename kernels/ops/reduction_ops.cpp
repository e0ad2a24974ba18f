// sum, mean, prod, amax/amin over dims; max/min over one dim with indices; argmax/argmin.
#include <algorithm>

#include "kernels/backend.h"
#include "kernels/op_registry.h"
#include "kernels/ops/reduction_ops.h"
#include "kernels/ops/ops_util.h"
#include "kernels/tensor_alloc.h"

namespace ember {

std::vector<int64_t> reduced_dims(OpId op, int64_t nd, const Attrs& a) {
  std::vector<int64_t> dims;
  if (a.has("dims")) {
    for (auto d : a.ints("dims")) dims.push_back(wrap_dim(d, nd, op_name(op)));
    if (a.ints("dims").empty())
      for (int64_t d = 0; d < nd; ++d) dims.push_back(d);
  } else if (a.has("dim")) {
    dims.push_back(wrap_dim(a.i("dim"), nd, op_name(op)));
  } else {
    for (int64_t d = 0; d < nd; ++d) dims.push_back(d);
  }
  std::sort(dims.begin(), dims.end());
  for (size_t i = 1; i < dims.size(); ++i)
    EMBER_CHECK(dims[i] != dims[i - 1], op_name(op), ": dim ", dims[i],
                " appears multiple times in the list of dims");
  if (nd == 0) dims.clear();
  return dims;
}

namespace {

bool keepdim_of(const Attrs& a) { return a.has("keepdim") && a.b("keepdim"); }

// Reduction over all elements when an arg-reduction gets no dim: the input is flattened.
bool flattens(OpId op, const Attrs& a) {
  return (op == OpId::ArgMax || op == OpId::ArgMin) && !a.has("dim");
}

Shape reduced_shape(const Tensor& in, const std::vector<int64_t>& dims, bool keepdim) {
  Shape out;
  for (int64_t d = 0; d < in.dim(); ++d) {
    bool r = std::find(dims.begin(), dims.end(), d) != dims.end();
    if (!r) out.push_back(in.sizes()[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

template <OpId Op>
std::vector<OutSpec> reduce_meta(const std::vector<Tensor>& in, const Attrs& a) {
  const char* name = op_name(Op);
  EMBER_CHECK(in.size() == 1, name, ": expected one input tensor");
  EMBER_CHECK(in[0].defined(), name, ": the input is an undefined tensor");
  const Tensor& x = in[0];
  auto dims = reduced_dims(Op, x.dim(), a);
  bool keepdim = keepdim_of(a);
  Shape shape = flattens(Op, a) ? (keepdim ? Shape(x.dim(), 1) : Shape{}) : reduced_shape(x, dims, keepdim);
  ScalarType dt = x.dtype();
  if (Op == OpId::Sum || Op == OpId::Prod) {
    dt = a.has("dtype") ? a.dtype("dtype") : (is_integral(dt, true) ? kInt64 : dt);
  } else if (Op == OpId::Mean) {
    dt = a.has("dtype") ? a.dtype("dtype") : dt;
    EMBER_CHECK(is_floating(dt), "mean(): could not infer output dtype. Input dtype must be either "
                "a floating point or complex dtype. Got: ", dtype_name(dt));
  } else {
    int64_t red = 1;
    if (flattens(Op, a)) red = x.numel();
    else
      for (auto d : dims) red *= x.sizes()[d];
    EMBER_CHECK(red > 0, name, "(): cannot reduce over a zero-size dimension (input shape ",
                shape_str(x.sizes()), ")");
    if (Op == OpId::ArgMax || Op == OpId::ArgMin) dt = kInt64;
  }
  std::vector<OutSpec> out{{shape, dt, x.device()}};
  if (Op == OpId::MaxDim || Op == OpId::MinDim) out.push_back({shape, kInt64, x.device()});
  return out;
}

template <OpId Op>
void reduce_run(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out) {
  Tensor x = in[0];
  std::vector<int64_t> dims;
  bool keepdim = keepdim_of(a);
  if (flattens(Op, a)) {
    x = contiguous_copy(x);
    x = make_view(x, {x.numel()}, {1}, x.storage_offset());
    dims = {0};
    keepdim = false;
  } else {
    dims = reduced_dims(Op, x.dim(), a);
  }
  ReduceArgs r;
  r.op = Op;
  r.in = static_cast<const char*>(x.data_ptr());
  r.in_dtype = x.dtype();
  r.out = static_cast<char*>(out[0].data_ptr());
  r.out_dtype = out[0].dtype();
  if (Op == OpId::MaxDim || Op == OpId::MinDim) r.indices = out[1].data_ptr<int64_t>();
  const Tensor& o = out[0];
  auto is_reduced = [&](int64_t d) { return std::find(dims.begin(), dims.end(), d) != dims.end(); };
  set_reduce_dims(r, x.sizes(), x.strides(), is_reduced, o.strides(), keepdim);
  if (o.numel() == 0) return;
  backend_for(x.device()).reduce(r);
}

}  // namespace

void register_reduction_ops() {
#define EMBER_REG(N) register_op(OpId::N, &reduce_meta<OpId::N>, &reduce_run<OpId::N>);
  EMBER_REG(Sum) EMBER_REG(Mean) EMBER_REG(Prod) EMBER_REG(Amax) EMBER_REG(Amin)
  EMBER_REG(MaxDim) EMBER_REG(MinDim) EMBER_REG(ArgMax) EMBER_REG(ArgMin)
#undef EMBER_REG
}

}  // namespace ember
