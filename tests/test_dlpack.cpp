// DLPack exchange (include/ember/dlpack.h): zero-copy both ways for any strides and every dtype,
// the producer kept alive until the consumer's deleter runs, and errors that leave the caller
// owning what it passed. libtorch as the peer: tests/torch_parity/test_torch_dlpack.cpp.
#include <dlpack/dlpack.h>

#include "ember/dlpack.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

class DLPack : public ::testing::TestWithParam<Device> {
 protected:
  void SetUp() override {
    if (GetParam().is_cuda()) EMBER_REQUIRE_CUDA();
  }
  TensorOptions opts(ScalarType dt = kFloat32) const { return TensorOptions().dtype(dt).device(GetParam()); }
};

// A producer that is not ember: a heap array in a DLManagedTensor counting its deleter's calls.
struct Foreign {
  std::vector<float> values;
  std::vector<int64_t> shape, strides;
  int* deleted;
  DLManagedTensor managed{};
};

DLManagedTensor* foreign(std::vector<int64_t> shape, std::vector<int64_t> strides, int64_t elements, int* deleted) {
  auto* f = new Foreign{std::vector<float>(static_cast<size_t>(elements)), std::move(shape), std::move(strides), deleted};
  for (size_t i = 0; i < f->values.size(); ++i) f->values[i] = static_cast<float>(i);
  DLTensor& d = f->managed.dl_tensor;
  d.data = f->values.data();
  d.device = {kDLCPU, 0};
  d.ndim = static_cast<int32_t>(f->shape.size());
  d.dtype = {kDLFloat, 32, 1};
  d.shape = f->shape.data();
  d.strides = f->strides.empty() ? nullptr : f->strides.data();
  f->managed.manager_ctx = f;
  f->managed.deleter = [](DLManagedTensor* self) {
    auto* me = static_cast<Foreign*>(self->manager_ctx);
    ++*me->deleted;
    delete me;
  };
  return &f->managed;
}

}  // namespace

TEST_P(DLPack, RoundTripSharesMemoryForAnyStrides) {
  Tensor base = arange(120, opts()).view({2, 3, 4, 5});
  Tensor view = base.permute({3, 0, 2, 1}).slice(2, 1, 3);  // offset and mixed strides
  DLManagedTensor* m = to_dlpack(view);
  const DLTensor& d = m->dl_tensor;
  EXPECT_EQ(d.ndim, 4);
  EXPECT_EQ(Shape(d.shape, d.shape + 4), view.sizes());
  EXPECT_EQ(Shape(d.strides, d.strides + 4), view.strides());
  EXPECT_EQ(d.data, view.data_ptr());
  EXPECT_EQ(d.device.device_type, GetParam().is_cuda() ? kDLCUDA : kDLCPU);
  EXPECT_EQ(d.dtype.code, kDLFloat);
  EXPECT_EQ(d.dtype.bits, 32);
  Tensor back = from_dlpack(m);
  EXPECT_EQ(back.data_ptr(), view.data_ptr());
  EXPECT_EQ(back.strides(), view.strides());
  EXPECT_TRUE(back.equal(view));
  back.fill_(-1);  // writes land in the producer's memory
  EXPECT_EQ(base.permute({3, 0, 2, 1}).slice(2, 1, 3).sum().item<double>(), -double(view.numel()));
}

TEST_P(DLPack, EveryDtypeKeepsItsType) {
  for (ScalarType dt : {kBool, kUInt8, kInt8, kInt16, kInt32, kInt64, kFloat16, kBFloat16, kFloat32, kFloat64}) {
    Tensor t = (arange(6, opts()).remainder(3)).to(dt).view({2, 3});
    DLManagedTensor* m = to_dlpack(t);
    EXPECT_EQ(m->dl_tensor.dtype.bits, itemsize(dt) * 8) << dtype_name(dt);
    Tensor back = from_dlpack(m);
    EXPECT_EQ(back.dtype(), dt);
    EXPECT_TRUE(bitwise_equal(back, t)) << dtype_name(dt);
  }
  Tensor scalar = full({}, 2.5, opts(kFloat64));
  Tensor back = from_dlpack(to_dlpack(scalar));
  EXPECT_EQ(back.dim(), 0);
  EXPECT_EQ(back.item<double>(), 2.5);
}

TEST_P(DLPack, TheProducerLivesUntilTheConsumerLetsGo) {
  DLManagedTensor* m = nullptr;
  {
    Tensor t = full({1000}, 7.0, opts());
    m = to_dlpack(t);
  }  // only the DLPack view holds the memory now
  Tensor seen = from_dlpack(m);
  EXPECT_EQ(seen.sum().item<double>(), 7000.0);
  Tensor other = arange(4, opts());
  DLManagedTensor* unused = to_dlpack(other);
  unused->deleter(unused);  // a consumer that gives the view back without importing it
  EXPECT_EQ(other.sum().item<double>(), 6.0);
}

INSTANTIATE_TEST_SUITE_P(Devices, DLPack, ::testing::ValuesIn(all_devices()), device_name);

TEST(DLPackImport, AForeignProducersDeleterRunsOnceWhenTheLastViewDies) {
  int deleted = 0;
  {
    Tensor t = from_dlpack(foreign({3, 4}, {}, 12, &deleted));  // no strides: compact row-major
    EXPECT_TRUE(t.equal(arange(12, TensorOptions().dtype(kFloat32)).view({3, 4})));
    Tensor row = t.select(0, 1);
    t = Tensor();
    EXPECT_EQ(deleted, 0);
    EXPECT_EQ(row.sum().item<double>(), 4 + 5 + 6 + 7);
  }
  EXPECT_EQ(deleted, 1);
  {
    Tensor t = from_dlpack(foreign({4, 3}, {1, 4}, 12, &deleted));  // a transposed producer
    EXPECT_TRUE(t.equal(arange(12, TensorOptions().dtype(kFloat32)).view({3, 4}).t()));
  }
  EXPECT_EQ(deleted, 2);
}

TEST(DLPackImport, UnsupportedInputIsAnErrorAndStaysTheCallers) {
  int deleted = 0;
  DLManagedTensor* m = foreign({2, 3}, {3, 1}, 6, &deleted);
  m->dl_tensor.dtype = {kDLComplex, 64, 1};
  EXPECT_EMBER_ERROR(from_dlpack(m), "from_dlpack: DLPack type code 5 with 64 bits has no ember dtype");
  m->dl_tensor.dtype = {kDLFloat, 32, 4};
  EXPECT_EMBER_ERROR(from_dlpack(m), "vector types (lanes = 4)");
  m->dl_tensor.dtype = {kDLFloat, 32, 1};
  m->dl_tensor.device = {kDLOpenCL, 0};
  EXPECT_EMBER_ERROR(from_dlpack(m), "DLPack device type 4 is not supported");
  m->dl_tensor.device = {kDLCPU, 0};
  m->dl_tensor.strides[0] = -3;
  EXPECT_EMBER_ERROR(from_dlpack(m), "negative strides [-3, 1] are not supported");
  EXPECT_EMBER_ERROR(from_dlpack(nullptr), "null DLManagedTensor");
  EXPECT_EQ(deleted, 0);  // still ours
  m->dl_tensor.strides[0] = 3;
  EXPECT_EQ(from_dlpack(m).sum().item<double>(), 15.0);
  EXPECT_EQ(deleted, 1);
}
