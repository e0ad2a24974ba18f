// Convolution on CUDA with cuDNN 9's convolution API (forward, backward data, backward
// filter) over contiguous NCHW / NCDHW tensors; 1-d convolutions get a unit height. The
// algorithm is cuDNN's first deterministic heuristic choice that works, cached per geometry; float32 uses
// FMA math (no TF32, as ember's cuBLAS matmuls), half types tensor cores. Workspaces come
// from the caching allocator on the current stream.
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include "kernels/cuda/cuda_kernels.h"
#include "kernels/cuda/cudnn_api.h"
#include "kernels/cuda/launch.h"
#include "kernels/tensor_alloc.h"

namespace ember::cuda {

namespace {

cudnnDataType_t data_type(ScalarType t) {
  switch (t) {
    case kFloat32: return CUDNN_DATA_FLOAT;
    case kFloat64: return CUDNN_DATA_DOUBLE;
    case kFloat16: return CUDNN_DATA_HALF;
    case kBFloat16: return CUDNN_DATA_BFLOAT16;
    default: EMBER_FAIL("\"conv\" not implemented for '", dtype_name(t), "' on CUDA");
  }
}

// Sizes with a unit height inserted for 1-d convolutions (cuDNN needs 4 or 5 dims).
std::vector<int> dims4(const Shape& s) {
  std::vector<int> d(s.begin(), s.end());
  if (d.size() == 3) d.insert(d.begin() + 2, 1);
  return d;
}

std::vector<int> contiguous_strides(const std::vector<int>& d) {
  std::vector<int> st(d.size());
  int64_t acc = 1;
  for (size_t i = d.size(); i-- > 0;) {
    st[i] = static_cast<int>(acc);
    acc *= d[i];
  }
  return st;
}

struct TensorDesc {
  cudnnTensorDescriptor_t d = nullptr;
  TensorDesc(const Shape& sizes, cudnnDataType_t t) {
    EMBER_CUDNN_CHECK(cudnn().cudnnCreateTensorDescriptor(&d));
    auto dims = dims4(sizes);
    auto st = contiguous_strides(dims);
    EMBER_CUDNN_CHECK(cudnn().cudnnSetTensorNdDescriptor(d, t, static_cast<int>(dims.size()), dims.data(), st.data()));
  }
  ~TensorDesc() { cudnn().cudnnDestroyTensorDescriptor(d); }
};

struct FilterDesc {
  cudnnFilterDescriptor_t d = nullptr;
  FilterDesc(const Shape& sizes, cudnnDataType_t t) {
    EMBER_CUDNN_CHECK(cudnn().cudnnCreateFilterDescriptor(&d));
    auto dims = dims4(sizes);
    EMBER_CUDNN_CHECK(cudnn().cudnnSetFilterNdDescriptor(d, t, CUDNN_TENSOR_NCHW, static_cast<int>(dims.size()), dims.data()));
  }
  ~FilterDesc() { cudnn().cudnnDestroyFilterDescriptor(d); }
};

struct ConvDesc {
  cudnnConvolutionDescriptor_t d = nullptr;
  ConvDesc(const ConvArgs& a, cudnnMathType_t math) {
    EMBER_CUDNN_CHECK(cudnn().cudnnCreateConvolutionDescriptor(&d));
    std::vector<int> pad, stride, dil;
    if (a.spatial() == 1) {
      pad.push_back(0);
      stride.push_back(1);
      dil.push_back(1);
    }
    for (int i = 0; i < a.spatial(); ++i) {
      pad.push_back(static_cast<int>(a.padding[i]));
      stride.push_back(static_cast<int>(a.stride[i]));
      dil.push_back(static_cast<int>(a.dilation[i]));
    }
    cudnnDataType_t compute = a.dtype == kFloat64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
    EMBER_CUDNN_CHECK(cudnn().cudnnSetConvolutionNdDescriptor(d, static_cast<int>(pad.size()), pad.data(), stride.data(),
                                                      dil.data(), CUDNN_CROSS_CORRELATION, compute));
    EMBER_CUDNN_CHECK(cudnn().cudnnSetConvolutionGroupCount(d, static_cast<int>(a.groups)));
    EMBER_CUDNN_CHECK(cudnn().cudnnSetConvolutionMathType(d, math));
  }
  ~ConvDesc() { cudnn().cudnnDestroyConvolutionDescriptor(d); }
};

cudnnMathType_t math_for(ScalarType t) {
  if (t == kFloat16 || t == kBFloat16) return CUDNN_TENSOR_OP_MATH;
  return t == kFloat32 ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
}

// Everything one call needs: descriptors, the handle on the current stream, and scalars.
struct Call {
  const ConvArgs& a;
  int device;
  DeviceGuard guard;
  cudaStream_t stream;
  CudnnLease lease;
  cudnnDataType_t type;
  TensorDesc x, y;
  FilterDesc w;
  ConvDesc conv;
  float one_f = 1, zero_f = 0;
  double one_d = 1, zero_d = 0;
  Call(const ConvArgs& args, int dev)
      : a(args), device(dev), guard(dev), stream(stream_of(dev)), lease(dev, stream),
        type(data_type(args.dtype)), x(args.in_sizes, type), y(args.out_sizes, type),
        w(args.w_sizes, type), conv(args, math_for(args.dtype)) {}
  const void* one() const { return a.dtype == kFloat64 ? static_cast<const void*>(&one_d) : &one_f; }
  const void* zero() const { return a.dtype == kFloat64 ? static_cast<const void*>(&zero_d) : &zero_f; }
  Tensor workspace(size_t bytes) const {
    return empty_tensor({static_cast<int64_t>(bytes)}, kUInt8, Device(kCUDA, device));
  }
};

std::string key_of(const char* what, const ConvArgs& a, int device) {
  std::ostringstream k;
  auto list = [&](const Shape& s) {
    for (int64_t v : s) k << v << ',';
    k << ';';
  };
  k << what << ':' << device << ':' << static_cast<int>(a.dtype) << ':' << a.groups << ':';
  list(a.in_sizes);
  list(a.w_sizes);
  list(a.out_sizes);
  list(a.stride);
  list(a.padding);
  list(a.dilation);
  return k.str();
}

// Algorithm choices per geometry (heuristic queries cost tens of microseconds each).
template <class Algo>
class AlgoCache {
 public:
  template <class F>
  Algo get(const std::string& key, const F& choose) {
    {
      std::lock_guard<std::mutex> g(mu_);
      auto it = map_.find(key);
      if (it != map_.end()) return it->second;
    }
    Algo algo = choose();
    std::lock_guard<std::mutex> g(mu_);
    map_.emplace(key, algo);
    return algo;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Algo> map_;
};

// The first heuristic result that succeeded and keeps to the requested math (no TF32 or
// tensor-op algorithms for float32 / float64), deterministic where one is: some backward
// algorithms add with atomics, so two runs (eager and compiled) would round differently.
template <class Perf>
auto pick(const Perf* perf, int n, cudnnMathType_t math, const char* what) -> decltype(perf[0].algo) {
  for (bool deterministic : {true, false}) {
    for (int i = 0; i < n; ++i) {
      if (perf[i].status != CUDNN_STATUS_SUCCESS) continue;
      if (math != CUDNN_TENSOR_OP_MATH && perf[i].mathType == CUDNN_TENSOR_OP_MATH) continue;
      if (deterministic && perf[i].determinism != CUDNN_DETERMINISTIC) continue;
      return perf[i].algo;
    }
  }
  EMBER_FAIL("convolution: cuDNN has no ", what, " algorithm for this geometry");
}

constexpr int kMaxAlgos = 16;

}  // namespace

namespace {

// One convolution direction: the algorithm is chosen once per geometry (`find` fills cuDNN's
// heuristic list), then `size` asks its workspace and `run` launches it with the workspace
// from the caching allocator.
template <class Perf, class Find, class Size, class Run>
void run_direction(const Call& c, const ConvArgs& a, const char* what, const Find& find, const Size& size,
                   const Run& run) {
  using Algo = decltype(Perf{}.algo);
  static AlgoCache<Algo> cache;  // one per call site: each passes its own lambdas
  Algo algo = cache.get(key_of(what, a, c.device), [&] {
    Perf perf[kMaxAlgos];
    int n = 0;
    find(kMaxAlgos, &n, perf);
    return pick(perf, n, math_for(a.dtype), what);
  });
  size_t bytes = 0;
  size(algo, &bytes);
  Tensor ws = c.workspace(bytes);
  run(algo, bytes ? ws.data_ptr() : nullptr, bytes);
}

}  // namespace

void conv_forward(const ConvArgs& a, const Tensor& y, const Tensor& x, const Tensor& w,
                  const Tensor& bias) {
  Call c(a, y.device().index);
  const CudnnApi& api = cudnn();
  cudnnHandle_t h = c.lease.handle();
  run_direction<cudnnConvolutionFwdAlgoPerf_t>(
      c, a, "forward",
      [&](int max, int* n, cudnnConvolutionFwdAlgoPerf_t* perf) {
        EMBER_CUDNN_CHECK(api.cudnnGetConvolutionForwardAlgorithm_v7(h, c.x.d, c.w.d, c.conv.d, c.y.d, max, n, perf));
      },
      [&](cudnnConvolutionFwdAlgo_t algo, size_t* bytes) {
        EMBER_CUDNN_CHECK(api.cudnnGetConvolutionForwardWorkspaceSize(h, c.x.d, c.w.d, c.conv.d, c.y.d, algo, bytes));
      },
      [&](cudnnConvolutionFwdAlgo_t algo, void* ws, size_t bytes) {
        EMBER_CUDNN_CHECK(api.cudnnConvolutionForward(h, c.one(), c.x.d, x.data_ptr(), c.w.d, w.data_ptr(), c.conv.d,
                                                      algo, ws, bytes, c.zero(), c.y.d, y.data_ptr()));
      });
  if (bias.defined()) {
    Shape bs(a.out_sizes.size(), 1);
    bs[1] = a.w_sizes[0];
    TensorDesc b(bs, c.type);
    EMBER_CUDNN_CHECK(api.cudnnAddTensor(h, c.one(), b.d, bias.data_ptr(), c.one(), c.y.d, y.data_ptr()));
  }
}

void conv_backward_input(const ConvArgs& a, const Tensor& grad_x, const Tensor& grad_y,
                         const Tensor& w) {
  Call c(a, grad_x.device().index);
  const CudnnApi& api = cudnn();
  cudnnHandle_t h = c.lease.handle();
  run_direction<cudnnConvolutionBwdDataAlgoPerf_t>(
      c, a, "backward-data",
      [&](int max, int* n, cudnnConvolutionBwdDataAlgoPerf_t* perf) {
        EMBER_CUDNN_CHECK(
            api.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, c.w.d, c.y.d, c.conv.d, c.x.d, max, n, perf));
      },
      [&](cudnnConvolutionBwdDataAlgo_t algo, size_t* bytes) {
        EMBER_CUDNN_CHECK(
            api.cudnnGetConvolutionBackwardDataWorkspaceSize(h, c.w.d, c.y.d, c.conv.d, c.x.d, algo, bytes));
      },
      [&](cudnnConvolutionBwdDataAlgo_t algo, void* ws, size_t bytes) {
        EMBER_CUDNN_CHECK(api.cudnnConvolutionBackwardData(h, c.one(), c.w.d, w.data_ptr(), c.y.d, grad_y.data_ptr(),
                                                           c.conv.d, algo, ws, bytes, c.zero(), c.x.d,
                                                           grad_x.data_ptr()));
      });
}

void conv_backward_weight(const ConvArgs& a, const Tensor& grad_w, const Tensor& grad_y,
                          const Tensor& x) {
  Call c(a, grad_w.device().index);
  const CudnnApi& api = cudnn();
  cudnnHandle_t h = c.lease.handle();
  run_direction<cudnnConvolutionBwdFilterAlgoPerf_t>(
      c, a, "backward-filter",
      [&](int max, int* n, cudnnConvolutionBwdFilterAlgoPerf_t* perf) {
        EMBER_CUDNN_CHECK(
            api.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, c.x.d, c.y.d, c.conv.d, c.w.d, max, n, perf));
      },
      [&](cudnnConvolutionBwdFilterAlgo_t algo, size_t* bytes) {
        EMBER_CUDNN_CHECK(
            api.cudnnGetConvolutionBackwardFilterWorkspaceSize(h, c.x.d, c.y.d, c.conv.d, c.w.d, algo, bytes));
      },
      [&](cudnnConvolutionBwdFilterAlgo_t algo, void* ws, size_t bytes) {
        EMBER_CUDNN_CHECK(api.cudnnConvolutionBackwardFilter(h, c.one(), c.x.d, x.data_ptr(), c.y.d,
                                                             grad_y.data_ptr(), c.conv.d, algo, ws, bytes, c.zero(),
                                                             c.w.d, grad_w.data_ptr()));
      });
}

}  // namespace ember::cuda
