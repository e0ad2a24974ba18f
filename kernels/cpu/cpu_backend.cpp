// Binds the CPU kernels to the backend table.
#include "kernels/cpu/cpu_kernels.h"
#include "kernels/cpu/pointwise_loops.h"

namespace ember::cpu {

bool run_pointwise(const PointwiseArgs& a) {
  if (a.numel == 0) return true;
  return run_pointwise_arity<1>(a) || run_pointwise_arity<2>(a) || run_pointwise_arity<3>(a);
}

namespace {
class CpuBackend final : public Backend {
 public:
  void pointwise(const PointwiseArgs& a) override {
    EMBER_CHECK(run_pointwise(a), "internal: no CPU pointwise kernel for ", op_name(a.op));
  }
  void reduce(const ReduceArgs& a) override { cpu::reduce(a); }
  void gemm(const GemmArgs& a) override { cpu::gemm(a); }
  void index_select(const Tensor& out, const Tensor& self, int64_t dim,
                    const Tensor& index) override {
    cpu::index_select(out, self, dim, index);
  }
  void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) override {
    cpu::gather(out, self, dim, index);
  }
  void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
               bool accumulate) override {
    cpu::scatter(out, dim, index, src, accumulate);
  }
  void index_add(const Tensor& out, int64_t dim, const Tensor& index,
                 const Tensor& source) override {
    cpu::index_add(out, dim, index, source);
  }
  Tensor nonzero(const Tensor& self) override { return cpu::nonzero(self); }
  Tensor masked_select(const Tensor& self, const Tensor& mask) override {
    return cpu::masked_select(self, mask);
  }
  void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& source) override {
    cpu::masked_scatter(out, mask, source);
  }
  void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
              uint64_t offset) override {
    cpu::random(out, kind, a, b, seed, offset);
  }
  void iota(const Tensor& out, double start, double step, double end, bool symmetric) override {
    cpu::iota(out, start, step, end, symmetric);
  }
  void sort(const Tensor& values, const Tensor& indices, const Tensor& self,
            bool descending) override {
    cpu::sort(values, indices, self, descending);
  }
  void synchronize(int) override {}
  void optimizer_step(const OptimizerArgs& a) override { cpu::optimizer_step(a); }
  void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                    const Tensor& bias) override {
    cpu::conv_forward(a, y, x, w, bias);
  }
  void conv_backward_input(const ConvArgs& a, const Tensor& gx, const Tensor& gy,
                           const Tensor& w) override {
    cpu::conv_backward_input(a, gx, gy, w);
  }
  void conv_backward_weight(const ConvArgs& a, const Tensor& gw, const Tensor& gy,
                            const Tensor& x) override {
    cpu::conv_backward_weight(a, gw, gy, x);
  }
  void pool(const dev::PoolArgs& a, const Tensor& out, const Tensor& indices,
            const Tensor& in) override {
    cpu::pool(a, out, indices, in);
  }
  void pool_backward(const dev::PoolArgs& a, const Tensor& grad_in, const Tensor& grad_out) override {
    cpu::pool_backward(a, grad_in, grad_out);
  }
};

}  // namespace

void register_cpu_backend() {
  static CpuBackend backend;
  register_backend(kCPU, &backend);
}

}  // namespace ember::cpu
