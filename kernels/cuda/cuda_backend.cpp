// Binds the CUDA kernels to the backend table. Registration touches no CUDA API, so the
// library loads and runs on machines without a GPU or driver; the first CUDA call happens
// when a kernel runs on a CUDA tensor.
#include "kernels/cuda/cuda_kernels.h"
#include "ember/device.h"

namespace ember::cuda {

namespace {
class CudaBackend final : public Backend {
 public:
  void pointwise(const PointwiseArgs& a) override { cuda::pointwise(a); }
  void reduce(const ReduceArgs& a) override { cuda::reduce(a); }
  void gemm(const GemmArgs& a) override { cuda::gemm(a); }
  void index_select(const Tensor& out, const Tensor& self, int64_t dim,
                    const Tensor& index) override {
    cuda::index_select(out, self, dim, index);
  }
  void gather(const Tensor& out, const Tensor& self, int64_t dim, const Tensor& index) override {
    cuda::gather(out, self, dim, index);
  }
  void scatter(const Tensor& out, int64_t dim, const Tensor& index, const Tensor& src,
               bool accumulate) override {
    cuda::scatter(out, dim, index, src, accumulate);
  }
  void index_add(const Tensor& out, int64_t dim, const Tensor& index,
                 const Tensor& source) override {
    cuda::index_add(out, dim, index, source);
  }
  void check_index_range(const char* op, const Tensor& index, int64_t lo, int64_t size,
                         int64_t dim) override {
    cuda::check_index_range(op, index, lo, size, dim);
  }
  Tensor nonzero(const Tensor& self) override { return cuda::nonzero(self); }
  Tensor masked_select(const Tensor& self, const Tensor& mask) override {
    return cuda::masked_select(self, mask);
  }
  void masked_scatter(const Tensor& out, const Tensor& mask, const Tensor& source) override {
    cuda::masked_scatter(out, mask, source);
  }
  void random(const Tensor& out, RandomKind kind, double a, double b, uint64_t seed,
              uint64_t offset) override {
    cuda::random(out, kind, a, b, seed, offset);
  }
  void iota(const Tensor& out, double start, double step, double end, bool symmetric) override {
    cuda::iota(out, start, step, end, symmetric);
  }
  void sort(const Tensor& values, const Tensor& indices, const Tensor& self,
            bool descending) override {
    cuda::sort(values, indices, self, descending);
  }
  void synchronize(int device) override { cuda::synchronize(device); }
  void optimizer_step(const OptimizerArgs& a) override { cuda::optimizer_step(a); }
  void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                    const Tensor& bias) override {
    cuda::conv_forward(a, y, x, w, bias);
  }
  void conv_backward_input(const ConvArgs& a, const Tensor& gx, const Tensor& gy,
                           const Tensor& w) override {
    cuda::conv_backward_input(a, gx, gy, w);
  }
  void conv_backward_weight(const ConvArgs& a, const Tensor& gw, const Tensor& gy,
                            const Tensor& x) override {
    cuda::conv_backward_weight(a, gw, gy, x);
  }
  void pool(const dev::PoolArgs& a, const Tensor& out, const Tensor& indices,
            const Tensor& in) override {
    cuda::pool(a, out, indices, in);
  }
  void pool_backward(const dev::PoolArgs& a, const Tensor& grad_in, const Tensor& grad_out) override {
    cuda::pool_backward(a, grad_in, grad_out);
  }
};

}  // namespace

void register_cuda_backend() {
  static CudaBackend backend;
  register_backend(kCUDA, &backend);
}

}  // namespace ember::cuda
