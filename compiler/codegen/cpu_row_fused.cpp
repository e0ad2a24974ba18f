// The CPU lowering of a row group (compiler/row_fusion.cpp: softmax, log_softmax, layer_norm,
// rms_norm and their backward graphs). Blocks of whole rows at a time, each block in a
// thread's scratch: every pointwise op over the block with the eager CPU loop, every reduction
// folding each row exactly as the eager reduction does (kernels/cpu/reduce_fold.h), so the
// results are bitwise equal to eager. One pass over memory instead of one per op. Where the
// eager reduction would split a row across threads (few, very long rows), or a reduction
// reads a strided input, the group runs as its ops instead (same results).
#include <omp.h>

#include <algorithm>
#include <sstream>

#include "compiler/codegen/cpu_tile_io.h"
#include "compiler/fused_kernel.h"
#include "compiler/run_node.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/reduce_fold.h"
#include "kernels/ops/ops_util.h"
#include "kernels/ops/type_promotion.h"
#include "kernels/reduce_dispatch.h"
#include "runtime/dispatch.h"

namespace ember::jit {

namespace {

constexpr int64_t kBlockElements = 4096;  // of a full-size value per block (at least one row)
constexpr int kMaxOperands = 4;           // output and the widest op's three inputs
// Rows at least this long run row by row when a block is not one dense run for every operand
// (a row value, taken as a number, or a [C] weight shared by the rows): each row then takes
// the eager loop's dense path instead of its chunked general path.
constexpr int64_t kRowByRow = 256;

Scalar scalar_at(const char* p, ScalarType dt) {
  return EMBER_DISPATCH_ALL_TYPES(dt, "fused row value", [&] { return Scalar(*reinterpret_cast<const scalar_t*>(p)); });
}

struct RowStep {
  OpId op;
  bool reduction = false;
  bool full = true;  // computes [rows, C]; else one value per row
  ScalarType compute = kFloat32, out_dtype = kFloat32;
  int out_slot = -1;
  std::vector<OperandSource> in;
};

struct Slot {
  ScalarType dtype;
  bool full;
  int output = -1;  // group output it is written to directly, or -1 (scratch)
  size_t offset = 0;  // in the thread scratch
};

// How a group input is read over a block of rows: a row stride and a column stride in bytes
// from its data, or gathered into a dense block per block.
struct InputView {
  const char* data = nullptr;
  int64_t row_stride = 0, col_stride = 0;
  bool gathered = false;
};

class CpuRowKernel final : public FusedKernel {
 public:
  CpuRowKernel(const Graph& g, const FusionGroup& grp) : FusedKernel(g, grp) {
    cols_ = grp.row_length;
    rows_ = cols_ > 0 ? numel_of(grp.shape) / cols_ : 0;
    row_shape_ = grp.shape;
    row_shape_.back() = 1;
    std::vector<int> slot_of(g.values.size(), -1), input_of(g.values.size(), -1);
    for (size_t j = 0; j < grp.inputs.size(); ++j) input_of[grp.inputs[j]] = static_cast<int>(j);
    read_full_.assign(grp.inputs.size(), false);
    read_row_.assign(grp.inputs.size(), false);
    host_scalar_.assign(grp.inputs.size(), false);
    for (int n : grp.nodes) {
      const Node& node = g.nodes[n];
      if (node.op == OpId::Expand) {  // read as the row value it expands (never an output)
        slot_of[node.outputs[0]] = slot_of[node.inputs[0]];
        continue;
      }
      RowStep st;
      st.op = node.op;
      st.reduction = is_fusable_reduction(node.op);
      int out = node.outputs[0];
      st.full = g.values[out].sizes == grp.shape;
      st.out_dtype = g.values[out].dtype;
      if (!st.reduction) {
        std::vector<Tensor> metas;
        for (int i : node.inputs) metas.push_back(g.meta_tensor(i));
        st.compute = pointwise_types(node.op, metas, node.attrs).compute;
      }
      for (int i : st.reduction ? std::vector<int>{node.inputs[0]} : node.inputs) {
        OperandSource s = classify_operand(g, i, slot_of, input_of);
        if (s.kind == OperandSource::Kind::HostScalar) host_scalar_[s.index] = true;
        if (s.kind == OperandSource::Kind::External) {
          (st.full || st.reduction ? read_full_ : read_row_)[s.index] = true;
          if (st.reduction) reduced_inputs_.push_back(s.index);
        }
        EMBER_CHECK(!st.reduction || s.kind != OperandSource::Kind::Slot || slots_[s.index].full,
                    "internal: a fused row reduction reads a row value as its row (compiler/row_fusion.cpp keeps those out)");
        st.in.push_back(s);
      }
      Slot slot{st.out_dtype, st.full};
      for (size_t k = 0; k < grp.outputs.size(); ++k)
        if (grp.outputs[k] == out) slot.output = static_cast<int>(k);
      st.out_slot = static_cast<int>(slots_.size());
      slot_of[out] = st.out_slot;
      slots_.push_back(slot);
      steps_.push_back(std::move(st));
    }
    block_rows_ = std::max<int64_t>(1, std::min(kBlockElements / std::max<int64_t>(cols_, 1), rows_));
    for (Slot& s : slots_) {
      s.offset = scratch_bytes_;
      int64_t elems = block_rows_ * (s.full ? cols_ : 1);
      scratch_bytes_ += (static_cast<size_t>(elems) * itemsize(s.dtype) + 63) / 64 * 64;
    }
  }

  std::string source() const override {
    std::ostringstream os;
    os << "// CPU: " << name() << ", rows of " << cols_ << " (" << rows_ << " rows, " << block_rows_
       << " per block, one pass); each row folded as the eager reduction folds it\n";
    for (const auto& st : steps_) {
      os << "slot" << st.out_slot << (st.full ? "[r, :]" : "[r]") << " = ";
      print_step(os, st.op, st.in);
      os << " : " << dtype_name(st.out_dtype);
      if (!st.reduction) os << " computed in " << dtype_name(st.compute);
      if (slots_[st.out_slot].output >= 0) os << " -> out" << slots_[st.out_slot].output;
      os << "\n";
    }
    return os.str();
  }

  void run(const Graph& g, std::vector<Tensor>& values) const override {
    const FusionGroup& grp = group_;
    std::vector<Tensor> outs;
    for (int o : grp.outputs) outs.push_back(values[o].defined() ? values[o] : allocate_value(g.values[o]));
    std::vector<InputView> full_view(grp.inputs.size()), row_view(grp.inputs.size());
    bool fused = !cpu::splits_each_output(rows_, cols_);
    for (const Tensor& t : outs) fused = fused && t.is_contiguous();
    for (size_t j = 0; j < grp.inputs.size(); ++j) {
      const Tensor& t = values[grp.inputs[j]];
      if (read_full_[j]) full_view[j] = view_of(t, grp.shape);
      if (read_row_[j]) row_view[j] = view_of(t, row_shape_);
    }
    for (int j : reduced_inputs_) {  // the eager fold of a strided row adds in another order
      int64_t item = static_cast<int64_t>(values[grp.inputs[j]].element_size());
      const InputView& v = full_view[j];
      fused = fused && !v.gathered && v.col_stride == item && (rows_ == 1 || v.row_stride == cols_ * item);
    }
    if (!fused) return run_unfused(g, values, outs);
    count_kernel_launch();
    std::vector<Scalar> host(grp.inputs.size());
    for (size_t j = 0; j < grp.inputs.size(); ++j)
      if (host_scalar_[j]) host[j] = values[grp.inputs[j]].item();
    int64_t blocks = (rows_ + block_rows_ - 1) / block_rows_;
    auto work = [&](int64_t bb, int64_t be) {
      char* scratch = thread_scratch(scratch_bytes_);
      std::vector<std::vector<char>> gathered_full(grp.inputs.size()), gathered_row(grp.inputs.size());
      std::vector<PointwiseArgs> args(steps_.size());  // reused: no allocation per block
      for (int64_t b = bb; b < be; ++b) {
        int64_t r0 = b * block_rows_, nr = std::min(block_rows_, rows_ - r0);
        for (size_t j = 0; j < grp.inputs.size(); ++j) {
          const Tensor& t = values[grp.inputs[j]];
          if (read_full_[j] && full_view[j].gathered) gather_broadcast(t, grp.shape, r0 * cols_, nr * cols_, gathered_full[j]);
          if (read_row_[j] && row_view[j].gathered) gather_broadcast(t, row_shape_, r0, nr, gathered_row[j]);
        }
        Block blk{r0, nr, scratch, &outs, &full_view, &row_view, &gathered_full, &gathered_row, &host};
        for (size_t k = 0; k < steps_.size(); ++k)
          steps_[k].reduction ? reduce_rows(steps_[k], blk) : pointwise(steps_[k], blk, args[k]);
      }
    };
    int threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), blocks));
    if (threads <= 1) {
      work(0, blocks);
    } else {
#pragma omp parallel num_threads(threads)
      {
        int64_t t = omp_get_thread_num(), nt = omp_get_num_threads(), per = (blocks + nt - 1) / nt;
        work(std::min(blocks, t * per), std::min(blocks, (t + 1) * per));
      }
    }
    for (size_t k = 0; k < grp.outputs.size(); ++k) values[grp.outputs[k]] = outs[k];
  }

 private:
  struct Block {
    int64_t r0, nr;
    char* scratch;
    const std::vector<Tensor>* outs;
    const std::vector<InputView>*full_view, *row_view;
    std::vector<std::vector<char>>*gathered_full, *gathered_row;
    const std::vector<Scalar>* host;
  };

  // A group input seen over [rows, cols] of `shape`: direct when the leading dims fold into
  // one row stride (dense rows, or a value broadcast over every row), else gathered.
  static InputView view_of(const Tensor& t, const Shape& shape) {
    InputView v;
    v.data = static_cast<const char*>(t.data_ptr());
    int64_t nd = static_cast<int64_t>(shape.size()), off = nd - t.dim();
    int64_t item = static_cast<int64_t>(t.element_size());
    Shape st(nd, 0);
    for (int64_t d = 0; d < t.dim(); ++d)
      st[d + off] = t.sizes()[d] == 1 ? 0 : t.strides()[d] * item;
    v.col_stride = st.back();
    int64_t inner = 1;  // rows spanned by one step of dim d
    bool first = true;
    for (int64_t d = nd - 2; d >= 0; --d) {
      if (shape[d] == 1) continue;
      if (first) v.row_stride = st[d];
      else if (st[d] != v.row_stride * inner) v.gathered = true;
      first = false;
      inner *= shape[d];
    }
    return v;
  }

  char* slot_data(int slot, const Block& b) const {
    const Slot& s = slots_[slot];
    if (s.output < 0) return b.scratch + s.offset;
    int64_t per_row = (s.full ? cols_ : 1) * static_cast<int64_t>(itemsize(s.dtype));
    return static_cast<char*>((*b.outs)[s.output].data_ptr()) + b.r0 * per_row;
  }

  // Operand `s` over the block as data, row stride and column stride (bytes).
  void locate(const OperandSource& s, bool full, const Block& b, char** data, int64_t* rs, int64_t* cs) const {
    if (s.kind == OperandSource::Kind::Slot) {
      const Slot& sl = slots_[s.index];
      int64_t item = static_cast<int64_t>(itemsize(sl.dtype));
      *data = slot_data(s.index, b);
      *rs = sl.full ? cols_ * item : item;
      *cs = sl.full ? item : 0;
      return;
    }
    const InputView& v = (full ? *b.full_view : *b.row_view)[s.index];
    int64_t cols = full ? cols_ : 1, item = static_cast<int64_t>(itemsize(s.dtype));
    if (v.gathered) {
      *data = (full ? *b.gathered_full : *b.gathered_row)[s.index].data();
      *rs = cols * item;
      *cs = item;
    } else {
      *data = const_cast<char*>(v.data) + b.r0 * v.row_stride;
      *rs = v.row_stride;
      *cs = v.col_stride;
    }
  }

  void pointwise(const RowStep& st, const Block& b, PointwiseArgs& a) const {
    int64_t cols = st.full ? cols_ : 1;
    a.op = st.op;
    a.compute = st.compute;
    a.numel = b.nr * cols;
    int n = static_cast<int>(st.in.size());
    EMBER_CHECK(n < kMaxOperands, "internal: fused row op with ", n, " inputs");
    char* data[kMaxOperands] = {};
    int64_t rs[kMaxOperands] = {}, cs[kMaxOperands] = {};
    bool scalar[kMaxOperands] = {};
    int64_t out_item = static_cast<int64_t>(itemsize(st.out_dtype));
    data[0] = slot_data(st.out_slot, b);
    rs[0] = cols * out_item;
    cs[0] = out_item;
    bool row_values = false;  // an operand broadcast along the row
    for (int k = 0; k < n; ++k) {
      const OperandSource& s = st.in[k];
      scalar[k + 1] = s.by_value();
      if (!scalar[k + 1]) locate(s, st.full, b, &data[k + 1], &rs[k + 1], &cs[k + 1]);
      row_values = row_values || (!scalar[k + 1] && cs[k + 1] == 0);
    }
    // Coalesced as the eager planner would: one dim where the rows are dense for all.
    bool merge = cols == 1 || b.nr == 1;
    if (!merge) {
      merge = true;
      for (int k = 0; k <= n; ++k) merge = merge && (scalar[k] || rs[k] == cs[k] * cols);
    }
    if ((row_values || !merge) && cols >= kRowByRow) return pointwise_row_by_row(st, b, a, data, rs, cs, scalar);
    auto strides = [&](int k) -> Shape {
      if (scalar[k]) return Shape(merge ? 1 : 2, 0);
      if (!merge) return {rs[k], cs[k]};
      return {cols == 1 ? rs[k] : cs[k]};
    };
    a.sizes = merge ? Shape{b.nr * cols} : Shape{b.nr, cols};
    a.out.data = data[0];
    a.out.dtype = st.out_dtype;
    a.out.strides = strides(0);
    a.in.resize(n);
    for (int k = 0; k < n; ++k) {
      const OperandSource& s = st.in[k];
      Operand& o = a.in[k];
      o.dtype = s.dtype;
      o.is_scalar = scalar[k + 1];
      if (o.is_scalar) o.value = s.kind == OperandSource::Kind::HostScalar ? (*b.host)[s.index] : s.value;
      o.data = data[k + 1];
      o.strides = strides(k + 1);
    }
    cpu::run_pointwise(a);
  }

  // One call per row, each row value passed as a number.
  void pointwise_row_by_row(const RowStep& st, const Block& b, PointwiseArgs& a, char* const* data,
                            const int64_t* rs, const int64_t* cs, const bool* scalar) const {
    int n = static_cast<int>(st.in.size());
    a.sizes = Shape{cols_};
    a.numel = cols_;
    a.out.dtype = st.out_dtype;
    a.out.strides = Shape{cs[0]};
    a.in.resize(n);
    for (int k = 0; k < n; ++k) {
      const OperandSource& s = st.in[k];
      Operand& o = a.in[k];
      o.dtype = s.dtype;
      o.is_scalar = scalar[k + 1] || cs[k + 1] == 0;
      if (scalar[k + 1]) o.value = s.kind == OperandSource::Kind::HostScalar ? (*b.host)[s.index] : s.value;
      o.strides = Shape{o.is_scalar ? 0 : cs[k + 1]};
    }
    for (int64_t r = 0; r < b.nr; ++r) {
      a.out.data = data[0] + r * rs[0];
      for (int k = 0; k < n; ++k) {
        Operand& o = a.in[k];
        o.data = data[k + 1] + r * rs[k + 1];
        if (!scalar[k + 1] && cs[k + 1] == 0) o.value = scalar_at(o.data, o.dtype);
      }
      cpu::run_pointwise(a);
    }
  }

  // Each row of the block folded as the eager reduction folds one output (dense rows).
  void reduce_rows(const RowStep& st, const Block& b) const {
    char* in = nullptr;
    int64_t rs = 0, cs = 0;
    locate(st.in[0], true, b, &in, &rs, &cs);
    char* out = slot_data(st.out_slot, b);
    EMBER_DISPATCH_ALL_TYPES(st.in[0].dtype, "fused row reduction", [&] {
      using S = scalar_t;
      dispatch_fold_reduction(st.op, [&](auto kind) {
        using K = decltype(kind);
        using A = cpu::FoldAcc<K, S>;
        EMBER_DISPATCH_ALL_TYPES(st.out_dtype, "fused row reduction", [&] {
          auto* o = reinterpret_cast<scalar_t*>(out);
          for (int64_t r = 0; r < b.nr; ++r) {
            A acc = K::template identity<A>();
            cpu::fold_run<K>(acc, reinterpret_cast<const S*>(in + r * rs), cols_, 1);
            o[r] = dev::convert<scalar_t>(K::finalize(acc, cols_));
          }
        });
      });
    });
  }

  // The group as its ops with the eager kernels: outputs into the given buffers.
  void run_unfused(const Graph& g, std::vector<Tensor>& values, std::vector<Tensor>& outs) const {
    for (size_t k = 0; k < group_.outputs.size(); ++k) values[group_.outputs[k]] = outs[k];
    auto buffer = [&](int v) {
      for (size_t k = 0; k < group_.outputs.size(); ++k)
        if (group_.outputs[k] == v && outs[k].is_contiguous()) return outs[k];
      return allocate_value(g.values[v]);
    };
    for (int n : group_.nodes) run_node(g, n, values, buffer);
    for (size_t k = 0; k < group_.outputs.size(); ++k)
      if (!values[group_.outputs[k]].is_same(outs[k])) {
        copy_into(outs[k], values[group_.outputs[k]]);
        values[group_.outputs[k]] = outs[k];
      }
  }

  int64_t rows_ = 0, cols_ = 0, block_rows_ = 1;
  Shape row_shape_;
  std::vector<RowStep> steps_;
  std::vector<Slot> slots_;
  size_t scratch_bytes_ = 0;
  std::vector<bool> read_full_, read_row_, host_scalar_;  // per group input
  std::vector<int> reduced_inputs_;                       // group inputs a reduction reads
};

}  // namespace

std::unique_ptr<FusedKernel> make_cpu_row_kernel(const Graph& g, const FusionGroup& group) {
  return std::make_unique<CpuRowKernel>(g, group);
}

}  // namespace ember::jit
