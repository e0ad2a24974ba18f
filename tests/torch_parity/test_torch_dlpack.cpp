// DLPack with a real peer: libtorch 1.13's at::toDLPack / at::fromDLPack and ember's, both ways,
// without copies.
#include "../test_util.h"
#include "ember/dlpack.h"
#include "torch_dlpack.h"

using namespace ember;

TEST(TorchDLPack, EmberReadsALibtorchTensorWithoutACopy) {
  Tensor t = from_dlpack(torch_parity::torch_exports_transposed_arange(3, 4));
  EXPECT_EQ(t.sizes(), Shape({4, 3}));
  EXPECT_EQ(t.strides(), Shape({1, 4}));
  EXPECT_TRUE(t.equal(arange(12, TensorOptions().dtype(kFloat32)).view({3, 4}).t()));
}

TEST(TorchDLPack, LibtorchReadsAndWritesAnEmberTensorWithoutACopy) {
  Tensor base = arange(20, TensorOptions().dtype(kFloat32)).view({4, 5});
  Tensor view = base.slice(1, 1, 4);  // [4, 3], strides [5, 1], starting at element 1
  double sum = view.sum().item<double>();
  torch_parity::TorchView seen = torch_parity::torch_imports_and_writes(to_dlpack(view), 99.0);
  EXPECT_EQ(seen.sizes, std::vector<int64_t>({4, 3}));
  EXPECT_EQ(seen.strides, std::vector<int64_t>({5, 1}));
  EXPECT_EQ(seen.sum, sum);
  EXPECT_EQ(seen.data, view.data_ptr());
  EXPECT_EQ(base[0][1].item<float>(), 99.0f);  // libtorch's write landed in ember's memory
}
