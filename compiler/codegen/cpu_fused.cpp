// The CPU lowering of a fusion group: the group is evaluated tile by tile (one pass over
// memory, intermediates stay in per-thread L1/L2 scratch), each op with the same CPU loop
// the eager kernel uses, so results are bitwise equal to eager. A fused reduction is the
// definition in kernels/device/reduce.h, accumulated per thread in double (AccWidth::Wide)
// like the eager CPU reduction.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "compiler/codegen/cpu_tile_io.h"
#include "compiler/fused_kernel.h"
#include "kernels/backend.h"
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/strided_walk.h"
#include "kernels/cpu/reduce_fold.h"
#include "kernels/device/reduce.h"
#include "kernels/op_registry.h"
#include "kernels/ops/reduction_ops.h"
#include "kernels/ops/type_promotion.h"
#include "kernels/reduce_dispatch.h"
#include "kernels/tensor_alloc.h"
#include "runtime/dispatch.h"

namespace ember::jit {

Tensor allocate_value(const Value& v) { return empty_tensor(v.sizes, v.dtype, v.device); }

namespace {

constexpr int64_t kTile = 2048;

struct NodePlan {
  OpId op;
  ScalarType compute;
  ScalarType out_dtype;
  int out_slot;            // scratch slot
  int out_external = -1;   // group output number when written straight to the output
  std::vector<OperandSource> in;
};

class CpuFusedKernel final : public FusedKernel {
 public:
  CpuFusedKernel(const Graph& g, const FusionGroup& grp) : FusedKernel(g, grp) {
    numel_ = numel_of(grp.shape);
    std::vector<int> slot_of(g.values.size(), -1), ext_of(g.values.size(), -1);
    read_per_element_.assign(grp.inputs.size(), false);
    host_scalar_input_.assign(grp.inputs.size(), false);
    for (size_t j = 0; j < grp.inputs.size(); ++j) ext_of[grp.inputs[j]] = static_cast<int>(j);
    for (int n : grp.nodes) {
      if (n == grp.reduction) continue;
      const Node& node = g.nodes[n];
      NodePlan p;
      p.op = node.op;
      std::vector<Tensor> metas;
      for (int i : node.inputs) metas.push_back(g.meta_tensor(i));
      p.compute = pointwise_types(node.op, metas, node.attrs).compute;
      int out = node.outputs[0];
      p.out_dtype = g.values[out].dtype;
      p.out_slot = static_cast<int>(slot_dtypes_.size());
      slot_dtypes_.push_back(p.out_dtype);
      slot_of[out] = p.out_slot;
      for (size_t k = 0; k < grp.outputs.size(); ++k)
        if (grp.outputs[k] == out) p.out_external = static_cast<int>(k);
      slot_external_.push_back(p.out_external);
      for (int i : node.inputs) {
        OperandSource r = classify_operand(g, i, slot_of, ext_of);
        if (r.kind == OperandSource::Kind::HostScalar) host_scalar_input_[r.index] = true;
        if (r.kind == OperandSource::Kind::External) read_per_element_[r.index] = true;
        p.in.push_back(r);
      }
      plans_.push_back(std::move(p));
    }
    // One tile per slot (no larger than the group), 64-byte aligned, in a thread's scratch.
    int64_t tile_elems = std::min(kTile, std::max<int64_t>(numel_, 1));
    for (ScalarType dt : slot_dtypes_) {
      slot_offset_.push_back(scratch_bytes_);
      scratch_bytes_ += (static_cast<size_t>(tile_elems) * itemsize(dt) + 63) / 64 * 64;
    }
    if (grp.reduction >= 0) {
      const Node& r = g.nodes[grp.reduction];
      red_op_ = r.op;
      red_slot_ = slot_of[r.inputs[0]];
      red_out_ = g.values[r.outputs[0]];
      for (size_t k = 0; k < grp.outputs.size(); ++k)
        if (grp.outputs[k] == r.outputs[0]) red_external_ = static_cast<int>(k);
      // Output element of each iteration index: reduced dims contribute nothing.
      int64_t nd = static_cast<int64_t>(grp.shape.size());
      std::vector<int64_t> dims = reduced_dims(r.op, nd, r.attrs);
      red_strides_.assign(nd, 0);
      int64_t acc = 1;
      for (int64_t d = nd - 1; d >= 0; --d) {
        if (std::find(dims.begin(), dims.end(), d) != dims.end()) continue;
        red_strides_[d] = acc;
        acc *= grp.shape[d];
      }
      red_out_numel_ = acc;
      red_count_ = red_out_numel_ ? numel_ / red_out_numel_ : 0;
    }
  }

  std::string source() const override {
    std::ostringstream os;
    os << "// CPU: " << name() << ", tiled loop (" << kTile << " elements per tile, one pass)\n";
    for (const auto& p : plans_) {
      os << "slot" << p.out_slot << " = ";
      print_step(os, p.op, p.in);
      os << " : " << dtype_name(p.out_dtype) << " computed in " << dtype_name(p.compute);
      if (p.out_external >= 0) os << " -> out" << p.out_external;
      os << "\n";
    }
    if (red_op_ != OpId::NumOps)
      os << op_name(red_op_) << "(slot" << red_slot_ << ") -> " << red_out_numel_
         << " output(s), accumulated in double per thread\n";
    return os.str();
  }

  void run(const Graph& g, std::vector<Tensor>& values) const override {
    const FusionGroup& grp = group_;
    std::vector<Tensor> ext;  // group inputs read per element (scalars are passed by value)
    std::vector<bool> dense, gathered_input;
    for (size_t j = 0; j < grp.inputs.size(); ++j) {
      Tensor t = values[grp.inputs[j]];
      bool ok = t.sizes() == grp.shape && t.is_contiguous();
      dense.push_back(ok);
      gathered_input.push_back(!ok && read_per_element_[j]);
      ext.push_back(t);
    }
    std::vector<Tensor> outs;
    for (int o : grp.outputs) outs.push_back(values[o].defined() ? values[o] : allocate_value(g.values[o]));
    std::vector<Scalar> host(grp.inputs.size());
    for (size_t j = 0; j < grp.inputs.size(); ++j)
      if (host_scalar_input_[j]) host[j] = values[grp.inputs[j]].item();
    int64_t tiles = (numel_ + kTile - 1) / kTile;
    int threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), std::max<int64_t>(1, tiles)));
    std::vector<std::vector<double>> acc(threads);
    count_kernel_launch();
    // Thread t evaluates tiles [tb, te): every op of the group per tile, then the reduction.
    auto work = [&](int t, int64_t tb, int64_t te) {
      char* scratch = thread_scratch(scratch_bytes_);
      std::vector<std::vector<char>> gathered(ext.size());
      std::vector<PointwiseArgs> args(plans_.size());
      for (size_t k = 0; k < plans_.size(); ++k) prepare(args[k], plans_[k], host);
      if (red_op_ != OpId::NumOps)
        dispatch_fold_reduction(red_op_, [&](auto kind) {
          acc[t].assign(red_out_numel_, decltype(kind)::template identity<double>());
        });
      for (int64_t tile = tb; tile < te; ++tile) {
        int64_t b = tile * kTile, n = std::min(kTile, numel_ - b);
        for (size_t j = 0; j < ext.size(); ++j)
          if (gathered_input[j]) gather_broadcast(ext[j], grp.shape, b, n, gathered[j]);
        for (size_t k = 0; k < plans_.size(); ++k) {
          const NodePlan& p = plans_[k];
          PointwiseArgs& a = args[k];
          a.sizes[0] = n;
          a.numel = n;
          a.out.data = slot_data(p.out_slot, b, scratch, outs);
          for (size_t i = 0; i < p.in.size(); ++i) {
            const OperandSource& r = p.in[i];
            if (r.kind == OperandSource::Kind::Slot) {
              a.in[i].data = slot_data(r.index, b, scratch, outs);
            } else if (r.kind == OperandSource::Kind::External) {
              a.in[i].data = dense[r.index] ? static_cast<char*>(ext[r.index].data_ptr()) + b * itemsize(r.dtype)
                                            : gathered[r.index].data();
            }
          }
          cpu::run_pointwise(a);
        }
        if (red_op_ != OpId::NumOps) accumulate(slot_data(red_slot_, b, scratch, outs), b, n, acc[t]);
      }
    };
    if (threads == 1) {
      work(0, 0, tiles);  // no OpenMP team for a single tile
    } else {
#pragma omp parallel num_threads(threads)
      {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        int64_t per = (tiles + nt - 1) / nt;
        work(t, std::min(tiles, t * per), std::min(tiles, (t + 1) * per));
      }
    }
    if (red_op_ != OpId::NumOps) finish_reduction(acc, outs[red_external_]);
    for (size_t k = 0; k < grp.outputs.size(); ++k) values[grp.outputs[k]] = outs[k];
  }

 private:
  // A slot's tile: scratch, or the group output it is written to directly.
  char* slot_data(int slot, int64_t b, char* scratch, const std::vector<Tensor>& outs) const {
    int ext = slot_external_[slot];
    if (ext < 0) return scratch + slot_offset_[slot];
    return static_cast<char*>(outs[ext].data_ptr()) + b * static_cast<int64_t>(itemsize(slot_dtypes_[slot]));
  }

  void prepare(PointwiseArgs& a, const NodePlan& p, const std::vector<Scalar>& host) const {
    a.op = p.op;
    a.compute = p.compute;
    a.sizes = {0};
    a.out.dtype = p.out_dtype;
    a.out.strides = {static_cast<int64_t>(itemsize(p.out_dtype))};
    a.in.resize(p.in.size());
    for (size_t i = 0; i < p.in.size(); ++i) {
      const OperandSource& r = p.in[i];
      a.in[i].dtype = r.dtype;
      a.in[i].is_scalar = r.by_value();
      a.in[i].value = r.kind == OperandSource::Kind::HostScalar ? host[r.index] : r.value;
      a.in[i].strides = {a.in[i].is_scalar ? 0 : static_cast<int64_t>(itemsize(r.dtype))};
    }
  }

  // The reduction is kernels/device/reduce.h's, accumulated like the eager CPU reduction
  // (AccWidth::Wide: double, as the group's reduced value is floating).
  template <class K, class S>
  using Acc = dev::red::AccOf<K, S, dev::red::AccWidth::Wide>;

  void accumulate(const char* data, int64_t b, int64_t n, std::vector<double>& acc) const {
    EMBER_DISPATCH_ALL_TYPES(red_slot_dtype(), "fused reduction", [&] {
      dispatch_fold_reduction(red_op_, [&](auto kind) {
        using K = decltype(kind);
        if constexpr (!std::is_same_v<Acc<K, scalar_t>, double>) {
          EMBER_FAIL("internal: a fused reduction of ", dtype_name(red_slot_dtype()));
        } else {
          const auto* v = reinterpret_cast<const scalar_t*>(data);
          if (red_out_numel_ == 1) {
            cpu::fold_run<K>(acc[0], v, n, 1);
            return;
          }
          cpu::walk_range<1>(group_.shape, {red_strides_}, b, b + n, [&](const int64_t* o, int64_t len) {
            int64_t st = red_strides_.empty() ? 0 : red_strides_.back();
            for (int64_t i = 0; i < len; ++i, ++v) {
              double& a = acc[o[0] + i * st];
              a = K::combine(a, dev::convert<double>(*v));
            }
          });
        }
      });
    });
  }

  ScalarType red_slot_dtype() const { return slot_dtypes_[red_slot_]; }

  // Combines the threads' partials in thread order, finalizes, converts to the output dtype.
  void finish_reduction(const std::vector<std::vector<double>>& acc, const Tensor& out) const {
    dispatch_fold_reduction(red_op_, [&](auto kind) {
      using K = decltype(kind);
      std::vector<double> total(red_out_numel_, K::template identity<double>());
      for (size_t t = 0; t < acc.size(); ++t) {
        if (acc[t].empty()) continue;
        for (int64_t o = 0; o < red_out_numel_; ++o) total[o] = K::combine(total[o], acc[t][o]);
      }
      EMBER_DISPATCH_ALL_TYPES(out.dtype(), "fused reduction", [&] {
        auto* p = static_cast<scalar_t*>(out.data_ptr());
        for (int64_t o = 0; o < red_out_numel_; ++o) p[o] = dev::convert<scalar_t>(K::finalize(total[o], red_count_));
      });
    });
  }

  int64_t numel_ = 0;
  std::vector<NodePlan> plans_;
  std::vector<ScalarType> slot_dtypes_;
  std::vector<int> slot_external_;  // group output a slot is written to, or -1
  std::vector<size_t> slot_offset_;  // a slot's tile within the thread scratch
  size_t scratch_bytes_ = 0;
  std::vector<bool> read_per_element_;  // group inputs that are tensors, not scalars
  std::vector<bool> host_scalar_input_;  // group inputs that are 0-dim CPU tensors
  OpId red_op_ = OpId::NumOps;
  int red_slot_ = -1, red_external_ = -1;
  Value red_out_;
  Shape red_strides_;
  int64_t red_out_numel_ = 0, red_count_ = 0;
};

}  // namespace

std::unique_ptr<FusedKernel> make_cpu_fused_kernel(const Graph& g, const FusionGroup& group) {
  if (group.row_length > 0) return make_cpu_row_kernel(g, group);
  return std::make_unique<CpuFusedKernel>(g, group);
}

}  // namespace ember::jit
