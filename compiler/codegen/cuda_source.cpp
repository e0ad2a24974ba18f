#include "compiler/codegen/cuda_source.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "compiler/hash.h"
#include "kernels/op_registry.h"
#include "kernels/cuda/reduce_geometry.h"
#include "kernels/cuda/reduce_schedule.h"
#include "kernels/device/reduce.h"
#include "kernels/ops/reduction_ops.h"
#include "kernels/ops/type_promotion.h"
#include "kernels/reduce_dispatch.h"

namespace ember::jit {

namespace {

const char* ctype(ScalarType t) {
  switch (t) {
    case kBool: return "bool";
    case kUInt8: return "unsigned char";
    case kInt8: return "signed char";
    case kInt16: return "short";
    case kInt32: return "int";
    case kInt64: return "long long";
    case kFloat16: return "ember::Half";
    case kBFloat16: return "ember::BFloat16";
    case kFloat32: return "float";
    case kFloat64: return "double";
    default: EMBER_FAIL("codegen: no CUDA type for ", dtype_name(t));
  }
}

// The scalar `s` converted to compute type `t` exactly as the eager kernels do
// (Scalar::to<T>), written as an exact literal (bit patterns for floating types).
std::string literal(const Scalar& s, ScalarType t) {
  std::ostringstream os;
  if (t == kBool) {
    os << (s.to_bool() ? "true" : "false");
  } else if (t == kInt64) {
    os << "(" << s.to_int() << "LL)";
  } else if (t == kFloat32) {
    float f = s.to<float>();
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    os << "__uint_as_float(0x" << std::hex << bits << "u)";
  } else {
    double d = s.to<double>();
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    os << "__longlong_as_double(0x" << std::hex << bits << "LL)";
  }
  return os.str();
}

// Grid-stride loops run on at most this many blocks.
constexpr int64_t kMaxGridBlocks = 65535 * 8;
constexpr int64_t kInt32Max = (int64_t{1} << 31) - 1;

struct InputInfo {
  enum class Kind : uint8_t { Literal, HostScalar, Dense, Strided } kind;
  ScalarType dtype;
  Scalar value;                 // Literal
  Shape strides;                // Strided: element strides aligned to the group shape
};

// The fused reduction: its kind (a struct of kernels/device/reduce.h), where its elements
// come from and go to.
struct ReductionPlan {
  const char* kind = nullptr;  // "Sum", "Mean", "Amax", "Amin"
  int value = -1;              // the reduced pointwise value
  ScalarType in_dtype = kFloat32, out_dtype = kFloat32;
  std::vector<int64_t> dims;   // reduced dims of the group shape, sorted
  int64_t out_n = 1, red_n = 1;
  bool reduced(int d) const { return std::find(dims.begin(), dims.end(), d) != dims.end(); }
};

// Builds the source in stages; generate_cuda_source runs them in order:
//   classify_operands  each group input is a literal, a host scalar, dense or strided
//   plan_outputs       which outputs compute() writes and where p.out[k] points; the reduction
//   emit_preamble      includes, index_t, Vec, Params (params_layout)
//   emit_offsets       offN(i): the element offset of a strided input at flat index i
//   emit_compute       compute(): the pointwise nodes for one element
//   emit_pointwise_kernel, or emit_reduction_kernel (eager's schedule and combine tree,
//   kernels/cuda/reduce_schedule.h: thread_per_output, block_per_output, split_then_combine)
//   finish             the name with its hash
class SourceBuilder {
 public:
  SourceBuilder(const Graph& g, const FusionGroup& grp)
      : g_(g), grp_(grp), shape_(grp.shape), n_(numel_of(grp.shape)), nd_(static_cast<int>(grp.shape.size())) {}

  CudaKernelSource build() {
    classify_operands();
    plan_outputs();
    emit_preamble();
    emit_offsets();
    emit_compute();
    if (grp_.reduction < 0) emit_pointwise_kernel();
    else emit_reduction_kernel();
    return finish();
  }

 private:
  void classify_operands() {
    // index_t is 32-bit only if every index a kernel forms fits: a grid-stride loop's last
    // i + step, and each strided operand's farthest element (a small view of a big storage).
    wide_ = n_ + kMaxGridBlocks * ks_.threads > kInt32Max;
    input_slot_.assign(g_.values.size(), -1);
    for (size_t j = 0; j < grp_.inputs.size(); ++j) {
      const Value& v = g_.values[grp_.inputs[j]];
      input_slot_[grp_.inputs[j]] = static_cast<int>(j);
      InputInfo info;
      info.dtype = v.dtype;
      if (v.kind == ValueKind::Constant && v.sizes.empty()) {
        info.kind = InputInfo::Kind::Literal;
        info.value = v.constant.item();
      } else if (v.sizes.empty() && v.device.is_cpu()) {
        info.kind = InputInfo::Kind::HostScalar;
        ks_.host_scalars.push_back(static_cast<int>(j));
      } else {
        EMBER_CHECK(v.device == grp_.device, "codegen: input %", grp_.inputs[j], " of ", grp_.kernel_name,
                    " is on ", v.device, " but the group runs on ", grp_.device);
        bool dense = v.sizes == shape_ && is_contiguous_layout(v.sizes, v.strides);
        info.kind = dense ? InputInfo::Kind::Dense : InputInfo::Kind::Strided;
        if (dense) ks_.dense_inputs.push_back(static_cast<int>(j));
        info.strides.assign(nd_, 0);
        int off = nd_ - static_cast<int>(v.sizes.size());
        for (size_t d = 0; d < v.sizes.size(); ++d)
          info.strides[d + off] = v.sizes[d] == 1 ? 0 : v.strides[d];
        wide_ = wide_ || farthest_element(info.strides) > kInt32Max;
      }
      ins_.push_back(info);
    }
  }

  int64_t farthest_element(const Shape& strides) const {
    int64_t off = 0;
    for (int d = 0; d < nd_; ++d) off += std::max<int64_t>(shape_[d] - 1, 0) * std::abs(strides[d]);
    return off;
  }

  // Pointwise outputs of the group occupy p.out[0..), the reduction output follows them.
  void plan_outputs() {
    int red_out = -1;
    if (grp_.reduction >= 0) {
      const Node& r = g_.nodes[grp_.reduction];
      dispatch_fold_reduction(r.op, [&](auto kind) { red_.kind = decltype(kind)::name; });
      red_.value = r.inputs[0];
      red_.in_dtype = g_.values[red_.value].dtype;
      red_out = r.outputs[0];
      red_.out_dtype = g_.values[red_out].dtype;
      red_.dims = reduced_dims(r.op, nd_, r.attrs);
      for (int d = 0; d < nd_; ++d) (red_.reduced(d) ? red_.red_n : red_.out_n) *= shape_[d];
    }
    for (size_t k = 0; k < grp_.outputs.size(); ++k)
      if (grp_.outputs[k] != red_out) {
        computed_.push_back(grp_.outputs[k]);
        ks_.out_order.push_back(static_cast<int>(k));
      }
    for (size_t k = 0; k < grp_.outputs.size(); ++k)
      if (grp_.outputs[k] == red_out) ks_.out_order.push_back(static_cast<int>(k));
  }

  void emit_preamble() {
    ks_.params = params_layout(grp_.inputs.size(), grp_.outputs.size());
    const ParamsLayout& l = ks_.params;
    src_ << "// Generated by ember for fusion group " << grp_.kernel_name << ".\n";
    src_ << "#include \"cast.h\"\n#include \"pointwise.h\"\n";
    if (grp_.reduction >= 0) src_ << "#include \"reduce.h\"\n";
    src_ << "using namespace ember::dev;\n\n";
    src_ << "typedef " << (wide_ ? "long long" : "int") << " index_t;\n";
    src_ << "template <class T, int N> struct alignas(sizeof(T) * N) Vec { T v[N]; };\n\n";
    src_ << "// The layout of compiler/codegen/cuda_source.h params_layout, which the launcher packs.\n";
    src_ << "struct Params {\n  void* out[" << l.outputs << "];\n  const void* in[" << l.inputs << "];\n  double sd["
         << l.inputs << "];\n  long long si[" << l.inputs << "];\n  int vec_ok;\n  void* scratch;\n};\n";
    // NVRTC has no offsetof; every field but vec_ok is 8 bytes, so the size pins the layout.
    src_ << "static_assert(sizeof(Params) == " << l.size << ", \"Params layout\");\n\n";
  }

  void emit_offsets() {
    for (size_t j = 0; j < ins_.size(); ++j) {
      if (ins_[j].kind != InputInfo::Kind::Strided) continue;
      src_ << "__device__ __forceinline__ index_t off" << j << "(index_t i) {\n  index_t off = 0;\n";
      for (int d = nd_ - 1; d >= 0; --d) {
        bool last = d == 0;
        if (ins_[j].strides[d] != 0) {
          src_ << "  off += " << (last ? "i" : "(i % " + std::to_string(shape_[d]) + ")") << " * "
               << ins_[j].strides[d] << ";\n";
        }
        if (!last) src_ << "  i /= " << shape_[d] << ";\n";
      }
      src_ << "  return off;\n}\n\n";
    }
  }

  // Node operand `v` converted to `compute`: a kernel value, a literal, a host scalar, or a load.
  std::string operand(int v, ScalarType compute) const {
    int j = input_slot_[v];
    std::string cv = std::string("convert<") + ctype(compute) + ">(";
    if (j < 0) return cv + "v" + std::to_string(v) + ")";
    const InputInfo& in = ins_[j];
    switch (in.kind) {
      case InputInfo::Kind::Literal: return literal(in.value, compute);
      case InputInfo::Kind::HostScalar:
        if (compute == kBool) return "(p.sd[" + std::to_string(j) + "] != 0)";
        if (compute == kInt64) return "p.si[" + std::to_string(j) + "]";
        return std::string("(") + ctype(compute) + ")p.sd[" + std::to_string(j) + "]";
      case InputInfo::Kind::Dense: return cv + "in" + std::to_string(j) + ")";
      case InputInfo::Kind::Strided:
        return cv + "((const " + ctype(in.dtype) + "*)p.in[" + std::to_string(j) + "])[off" + std::to_string(j) + "(i)])";
    }
    return "";
  }

  // compute(): one element. Dense inputs come in as arguments, the rest are loaded here.
  void emit_compute() {
    src_ << "__device__ __forceinline__ void compute(const Params& p, index_t i";
    for (int j : ks_.dense_inputs) src_ << ", " << ctype(ins_[j].dtype) << " in" << j;
    for (size_t k = 0; k < computed_.size(); ++k) src_ << ", " << out_ctype(k) << "& out" << k;
    if (red_.value >= 0) src_ << ", " << ctype(red_.in_dtype) << "& red";
    src_ << ") {\n";
    for (int nid : grp_.nodes) {
      if (nid == grp_.reduction) continue;
      const Node& node = g_.nodes[nid];
      std::vector<Tensor> metas;
      for (int i : node.inputs) metas.push_back(g_.meta_tensor(i));
      ScalarType compute = pointwise_types(node.op, metas, node.attrs).compute;
      int out = node.outputs[0];
      const char* ot = ctype(g_.values[out].dtype);
      src_ << "  " << ot << " v" << out << " = convert<" << ot << ">(" << op_name(node.op) << "{}(";
      for (size_t k = 0; k < node.inputs.size(); ++k) src_ << (k ? ", " : "") << operand(node.inputs[k], compute);
      src_ << "));\n";
    }
    for (size_t k = 0; k < computed_.size(); ++k) src_ << "  out" << k << " = v" << computed_[k] << ";\n";
    if (red_.value >= 0) src_ << "  red = v" << red_.value << ";\n";
    src_ << "}\n\n";
  }

  const char* out_ctype(size_t k) const { return ctype(g_.values[computed_[k]].dtype); }
  std::string out_ptr(size_t k) const {
    return std::string("((") + out_ctype(k) + "*)p.out[" + std::to_string(k) + "])";
  }
  std::string dense_args(const std::string& index) const {
    std::string s;
    for (int j : ks_.dense_inputs)
      s += ", ((const " + std::string(ctype(ins_[j].dtype)) + "*)p.in[" + std::to_string(j) + "])[" + index + "]";
    return s;
  }

  // Pointwise: a vectorised path over dense operands, and an element path.
  void emit_pointwise_kernel() {
    size_t widest = 1;
    for (int j : ks_.dense_inputs) widest = std::max(widest, itemsize(ins_[j].dtype));
    for (int o : grp_.outputs) widest = std::max(widest, itemsize(g_.values[o].dtype));
    ks_.vec = static_cast<int>(16 / widest);
    src_ << "extern \"C\" __global__ void KERNEL_NAME(Params p) {\n";
    src_ << "  const index_t n = " << n_ << ";\n";
    src_ << "  const index_t step = (index_t)gridDim.x * blockDim.x;\n";
    src_ << "  index_t start = (index_t)blockIdx.x * blockDim.x + threadIdx.x;\n";
    if (ks_.vec > 1) {
      src_ << "  if (p.vec_ok) {\n    const int V = " << ks_.vec << ";\n";
      src_ << "    for (index_t b = start; b < n / V; b += step) {\n";
      for (int j : ks_.dense_inputs)
        src_ << "      Vec<" << ctype(ins_[j].dtype) << ", V> in" << j << " = ((const Vec<" << ctype(ins_[j].dtype)
             << ", V>*)p.in[" << j << "])[b];\n";
      for (size_t k = 0; k < computed_.size(); ++k) src_ << "      Vec<" << out_ctype(k) << ", V> out" << k << ";\n";
      src_ << "#pragma unroll\n      for (int e = 0; e < V; ++e)\n        compute(p, b * V + e";
      for (int j : ks_.dense_inputs) src_ << ", in" << j << ".v[e]";
      for (size_t k = 0; k < computed_.size(); ++k) src_ << ", out" << k << ".v[e]";
      src_ << ");\n";
      for (size_t k = 0; k < computed_.size(); ++k)
        src_ << "      ((Vec<" << out_ctype(k) << ", V>*)p.out[" << k << "])[b] = out" << k << ";\n";
      src_ << "    }\n    start += (n / V) * V;\n  }\n";
    }
    src_ << "  for (index_t i = start; i < n; i += step) {\n";
    for (size_t k = 0; k < computed_.size(); ++k) src_ << "    " << out_ctype(k) << " o" << k << ";\n";
    src_ << "    compute(p, i" << dense_args("i");
    for (size_t k = 0; k < computed_.size(); ++k) src_ << ", o" << k;
    src_ << ");\n";
    for (size_t k = 0; k < computed_.size(); ++k) src_ << "    " << out_ptr(k) << "[i] = o" << k << ";\n";
    src_ << "  }\n}\n";
    ks_.blocks = std::max<int64_t>(1, std::min<int64_t>((n_ + ks_.threads * ks_.vec - 1) / (ks_.threads * ks_.vec), kMaxGridBlocks));
  }

  // ----- Reduction epilogue: R (the kind) and acc_t (its accumulation type) come from
  // kernels/device/reduce.h; the generator only decides the order of combine calls.

  void emit_reduction_kernel() {
    ks_.reduction = true;
    bool wide = dev::red::cuda_acc_width(red_.out_dtype == kFloat64) == dev::red::AccWidth::Wide;
    src_ << "typedef red::" << red_.kind << " R;\n";
    src_ << "typedef red::AccOf<R, " << ctype(red_.in_dtype) << ", red::AccWidth::" << (wide ? "Wide" : "Narrow")
         << "> acc_t;\n\n";
    emit_flat_index();
    emit_block_combine();
    src_ << "extern \"C\" __global__ void KERNEL_NAME(Params p) {\n";
    cuda::FoldSchedule plan = eager_schedule();
    switch (plan.kind) {
      case cuda::FoldSchedule::Kind::ThreadPerOutput: emit_thread_per_output(); break;
      case cuda::FoldSchedule::Kind::BlockPerOutput: emit_block_per_output(); break;
      case cuda::FoldSchedule::Kind::SplitThenCombine: emit_split_then_combine(plan.splits, plan.chunk); break;
    }
    src_ << "}\n";
  }

  // The schedule eager's kernel (kernels/cuda/reduce.cu) takes for this reduction: of the
  // contiguous value eager would have materialised, or of the strided input it reads itself.
  // With eager's block size and combine tree, the fused result is eager's bit for bit.
  cuda::FoldSchedule eager_schedule() const {
    ReduceArgs a;
    a.op = g_.nodes[grp_.reduction].op;
    Shape strides = contiguous_strides(shape_);
    int input = red_.value >= 0 ? input_slot_[red_.value] : -1;
    if (input >= 0 && ins_[input].kind == InputInfo::Kind::Strided) strides = ins_[input].strides;
    set_reduce_dims(a, shape_, strides, [&](int64_t d) { return red_.reduced(static_cast<int>(d)); });
    return cuda::plan_fold(cuda::make_reduce_geometry(a));
  }

  // flat index from (output o, reduced r): decompose each over its own dims.
  void emit_flat_index() {
    Shape gstride = contiguous_strides(shape_);
    src_ << "__device__ __forceinline__ index_t flat_index(index_t o, index_t r) {\n  index_t i = 0;\n";
    for (int d = nd_ - 1; d >= 0; --d) {
      const char* var = red_.reduced(d) ? "r" : "o";
      src_ << "  i += (" << var << " % " << shape_[d] << ") * " << gstride[d] << "; " << var << " /= " << shape_[d] << ";\n";
    }
    src_ << "  return i;\n}\n\n";
  }

  // Eager's combine tree (reduce.cu's block_combine): halving over shared memory. Every
  // thread of the block must call it; the result is valid in thread 0.
  void emit_block_combine() {
    src_ << "__device__ acc_t block_combine(acc_t v) {\n"
         << "  __shared__ acc_t partial[" << ks_.threads << "];\n"
         << "  int tid = threadIdx.x;\n  partial[tid] = v;\n  __syncthreads();\n"
         << "  for (int s = blockDim.x / 2; s > 0; s >>= 1) {\n"
         << "    if (tid < s) partial[tid] = R::combine(partial[tid], partial[tid + s]);\n    __syncthreads();\n  }\n"
         << "  v = partial[0];\n  __syncthreads();\n  return v;\n}\n\n";
  }

  // One element: compute(), store the pointwise outputs, combine the reduced value into acc.
  std::string element(const std::string& idx, const std::string& indent) const {
    std::string s = indent + ctype(red_.in_dtype) + " rv;\n";
    for (size_t k = 0; k < computed_.size(); ++k) s += indent + out_ctype(k) + " o" + std::to_string(k) + ";\n";
    s += indent + "compute(p, " + idx + dense_args(idx);
    for (size_t k = 0; k < computed_.size(); ++k) s += ", o" + std::to_string(k);
    s += ", rv);\n";
    for (size_t k = 0; k < computed_.size(); ++k) s += indent + out_ptr(k) + "[" + idx + "] = o" + std::to_string(k) + ";\n";
    s += indent + "acc = R::combine(acc, convert<acc_t>(rv));\n";
    return s;
  }

  std::string store_result(const std::string& o) const {
    const char* ct = ctype(red_.out_dtype);
    return std::string("((") + ct + "*)p.out[" + std::to_string(computed_.size()) + "])[" + o + "] = convert<" + ct +
           ">(R::finalize(acc, " + std::to_string(red_.red_n) + "LL));";
  }

  // Reduced elements [begin, end) of output o, strided over the block's threads, then combined.
  std::string fold_range(const std::string& begin, const std::string& end, const std::string& indent) const {
    return indent + "acc_t acc = R::identity<acc_t>();\n" + indent + "for (index_t r = " + begin +
           " + threadIdx.x; r < " + end + "; r += blockDim.x) {\n" + indent + "  index_t i = flat_index(o, r);\n" +
           element("i", indent + "  ") + indent + "}\n" + indent + "acc = block_combine(acc);\n";
  }

  // Few reduced elements per output, or outputs adjacent in memory: a thread per output, in order.
  void emit_thread_per_output() {
    ks_.blocks = std::max<int64_t>(1, std::min<int64_t>((red_.out_n + ks_.threads - 1) / ks_.threads, kMaxGridBlocks));
    src_ << "  for (index_t o = (index_t)blockIdx.x * blockDim.x + threadIdx.x; o < " << red_.out_n
         << "; o += (index_t)gridDim.x * blockDim.x) {\n    acc_t acc = R::identity<acc_t>();\n"
         << "    for (index_t r = 0; r < " << red_.red_n << "; ++r) {\n      index_t i = flat_index(o, r);\n"
         << element("i", "      ") << "    }\n    " << store_result("o") << "\n  }\n";
  }

  // Many reduced elements per output: a block per output.
  void emit_block_per_output() {
    ks_.blocks = std::max<int64_t>(1, std::min<int64_t>(red_.out_n, kMaxGridBlocks));
    src_ << "  for (index_t o = blockIdx.x; o < " << red_.out_n << "; o += gridDim.x) {\n"
         << fold_range("0", std::to_string(red_.red_n), "    ")
         << "    if (threadIdx.x == 0) " << store_result("o") << "\n  }\n";
  }

  // Few outputs, long reductions: block b folds chunk b % splits of output b / splits into
  // scratch; the last block to finish combines each output's chunks in chunk order, as
  // eager's second pass does.
  void emit_split_then_combine(int64_t splits, int64_t chunk) {
    int64_t parts = red_.out_n * splits;
    ks_.blocks = std::max<int64_t>(1, std::min<int64_t>(parts, kMaxGridBlocks));
    int64_t counter_off = parts * 8;  // one partial accumulator (at most 8 bytes) per chunk
    ks_.scratch_bytes = counter_off + 8;
    src_ << "  acc_t* partials = (acc_t*)p.scratch;\n"
         << "  unsigned int* counter = (unsigned int*)((char*)p.scratch + " << counter_off << ");\n"
         << "  for (index_t b = blockIdx.x; b < " << parts << "; b += gridDim.x) {\n"
         << "    index_t o = b / " << splits << ", begin = (b - o * " << splits << ") * " << chunk << ";\n"
         << "    index_t end = begin + " << chunk << " < " << red_.red_n << " ? begin + " << chunk << " : "
         << red_.red_n << ";\n"
         << "    {\n" << fold_range("begin", "end", "      ")
         << "      if (threadIdx.x == 0) partials[b] = acc;\n    }\n  }\n"
         << "  __shared__ bool last;\n"
         << "  if (threadIdx.x == 0) {\n    __threadfence();\n    last = atomicAdd(counter, 1u) == gridDim.x - 1;\n  }\n"
         << "  __syncthreads();\n  if (!last) return;\n  __threadfence();\n"
         << "  for (index_t o = 0; o < " << red_.out_n << "; ++o) {\n"
         << "    acc_t acc = R::identity<acc_t>();\n"
         << "    for (index_t s = threadIdx.x; s < " << splits << "; s += blockDim.x)\n"
         << "      acc = R::combine(acc, ((volatile acc_t*)partials)[o * " << splits << " + s]);\n"
         << "    acc = block_combine(acc);\n"
         << "    if (threadIdx.x == 0) " << store_result("o") << "\n  }\n"
         << "  if (threadIdx.x == 0) *counter = 0u;\n";
  }

  CudaKernelSource finish() {
    std::string body = src_.str();
    std::ostringstream name;
    name << grp_.kernel_name << "_" << std::hex << std::setw(8) << std::setfill('0') << (fnv1a(body) & 0xffffffffu);
    ks_.name = name.str();
    size_t pos;
    while ((pos = body.find("KERNEL_NAME")) != std::string::npos) body.replace(pos, 11, ks_.name);
    ks_.source = body;
    return ks_;
  }

  const Graph& g_;
  const FusionGroup& grp_;
  const Shape& shape_;
  const int64_t n_;
  const int nd_;
  bool wide_ = false;             // 64-bit index math
  std::vector<InputInfo> ins_;    // per group input
  std::vector<int> input_slot_;   // value -> group input number, or -1
  std::vector<int> computed_;     // outputs compute() writes, in p.out order
  ReductionPlan red_;
  std::ostringstream src_;
  CudaKernelSource ks_;
};

}  // namespace

ParamsLayout params_layout(size_t group_inputs, size_t group_outputs) {
  ParamsLayout l;
  l.outputs = std::max<size_t>(1, group_outputs);
  l.inputs = std::max<size_t>(1, group_inputs);
  l.out = 0;
  l.in = l.out + l.outputs * sizeof(void*);
  l.sd = l.in + l.inputs * sizeof(void*);
  l.si = l.sd + l.inputs * sizeof(double);
  l.vec_ok = l.si + l.inputs * sizeof(long long);
  l.scratch = (l.vec_ok + sizeof(int) + 7) / 8 * 8;
  l.size = l.scratch + sizeof(void*);
  return l;
}

CudaKernelSource generate_cuda_source(const Graph& g, const FusionGroup& grp) {
  return SourceBuilder(g, grp).build();
}

}  // namespace ember::jit
