// Index range checks: the CPU's messages, and on CUDA the device-side check whose error is
// thrown at the next synchronising call (.cpu(), item(), cuda::synchronize()) instead of a
// host sync per op. The CUDA tests skip visibly without a device.
#include <string>

#include "runtime/index_error_message.h"
#include "test_util.h"

#if defined(EMBER_WITH_CUDA)
#include "runtime/cuda/stream_sync.h"
#endif

using namespace ember;
using namespace ember::testing;
using namespace ember::indexing;

namespace {

Device gpu() { return Device(kCUDA, 0); }

const char* kDeviceSuffix =
    " (found by a device-side check; reported at the next synchronising call, which may be "
    "later than the op)";

// The error a statement throws (empty when it throws none).
template <class F>
std::string error_of(const F& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// ----- CPU: checked before the op runs

TEST(IndexCheck, MessageWording) {
  EXPECT_EQ(index_out_of_bounds_message("gather", 5, 3, -1),
            "gather: index 5 is out of bounds for dimension with size 3");
  EXPECT_EQ(index_out_of_bounds_message("", -4, 3, 1),
            "index -4 is out of bounds for dimension 1 with size 3");
}

TEST(IndexCheck, CpuMessagesNameTheOpAndTheFirstBadIndex) {
  Tensor x = ones({2, 3});
  EXPECT_EQ(error_of([&] { x.index_select(1, tensor({0, 7, 3})); }),
            "index_select: index 7 is out of bounds for dimension with size 3");
  EXPECT_EQ(error_of([&] { x.index_select(1, tensor({4}).to(kInt32)); }),
            "index_select: index 4 is out of bounds for dimension with size 3");
  EXPECT_EQ(error_of([&] { x.gather(0, tensor({{1, -1, 0}})); }),
            "gather: index -1 is out of bounds for dimension with size 2");
  EXPECT_EQ(error_of([&] { x.scatter_add(1, tensor({{3}}), ones({1, 1})); }),
            "scatter_add: index 3 is out of bounds for dimension with size 3");
  EXPECT_EQ(error_of([&] { x.index_add(0, tensor({1, 2}), ones({2, 3})); }),
            "index_add: index 2 is out of bounds for dimension with size 2");
  // Advanced indexing names the dim and the index as written (before wrapping), as libtorch.
  EXPECT_EQ(error_of([&] { x.index({Slice(), tensor({-4})}); }),
            "index -4 is out of bounds for dimension 1 with size 3");
  EXPECT_EQ(error_of([&] { x.index_put_({tensor({2})}, 0); }),
            "index 2 is out of bounds for dimension 0 with size 2");
  EXPECT_EQ(values(x.index({Slice(), tensor({-3, 2})})), (std::vector<double>{1, 1, 1, 1}));
}

TEST(IndexCheck, CpuMaxUnpoolNamesTheOp) {
  Tensor v = ones({1, 1, 2, 2}), i = tensor({{{{0, 5}, {10, 16}}}});
  EXPECT_EQ(error_of([&] { max_unpool2d(v, i, {4, 4}); }),
            "max_unpool2d: index 16 is out of bounds for dimension with size 16");
}

// ----- CUDA: checked on the device, reported at the next sync

TEST(IndexCheckCuda, OutOfRangeIndexSelectIsThrownByTheNextCopyToHost) {
  EMBER_REQUIRE_CUDA();
  Tensor x = arange(10, TensorOptions().dtype(kFloat32)).to(gpu());
  Tensor bad = tensor({1, 12}).to(gpu());
  Tensor y;
  ASSERT_NO_THROW(y = x.index_select(0, bad));  // nothing waits for the check
  EXPECT_EQ(error_of([&] { y.cpu(); }),
            std::string("index_select: index 12 is out of bounds for dimension with size 10") +
                kDeviceSuffix);
}

TEST(IndexCheckCuda, ItemAndSynchronizeReportToo) {
  EMBER_REQUIRE_CUDA();
  Tensor x = ones({2, 3}).to(gpu());
  Tensor g = x.gather(1, tensor({{3}}).to(gpu()));
  EXPECT_EMBER_ERROR(g.item<float>(), "gather: index 3 is out of bounds for dimension with size 3");
  x.scatter_(0, tensor({{-1}}).to(gpu()), 2.0);
  EXPECT_EMBER_ERROR(cuda::synchronize(), "scatter: index -1 is out of bounds");
  x.index_select(1, tensor({5}).to(kInt32).to(gpu()));
  EXPECT_EMBER_ERROR(cuda::synchronize(0), std::string("index 5 is out of bounds for dimension with size 3") + kDeviceSuffix);
}

TEST(IndexCheckCuda, TheSlotIsClearedAndReusedAfterAReport) {
  EMBER_REQUIRE_CUDA();
  Tensor x = arange(4, TensorOptions().dtype(kFloat32)).to(gpu());
  x.index_select(0, tensor({9}).to(gpu()));
  EXPECT_EMBER_ERROR(cuda::synchronize(), "index 9 is out of bounds");
  // Reported once; the next valid op and sync succeed.
  EXPECT_EQ(values(x.index_select(0, tensor({3, 0}).to(gpu()))), (std::vector<double>{3, 0}));
  EXPECT_NO_THROW(cuda::synchronize());
  // A later error is reported again.
  x.index_add(0, tensor({4}).to(gpu()), ones({1}).to(gpu()));
  EXPECT_EMBER_ERROR(x.cpu(), "index_add: index 4 is out of bounds for dimension with size 4");
}

TEST(IndexCheckCuda, OutOfRangePositionsAreSkippedNotWritten) {
  EMBER_REQUIRE_CUDA();
  Tensor x = zeros({4}).to(gpu());
  x.scatter_(0, tensor({0, 1000000}).to(gpu()), ones({2}).to(gpu()));
  EXPECT_EMBER_ERROR(x.cpu(), "scatter: index 1000000 is out of bounds");
  EXPECT_EQ(values(x), (std::vector<double>{1, 0, 0, 0}));
}

TEST(IndexCheckCuda, AdvancedIndexingChecksEachDimOnTheDevice) {
  EMBER_REQUIRE_CUDA();
  Tensor x = ones({2, 3}).to(gpu());
  Tensor y = x.index({Slice(), tensor({-4}).to(gpu())});
  EXPECT_EMBER_ERROR(y.cpu(), std::string("index -4 is out of bounds for dimension 1 with size 3") +
                                  kDeviceSuffix);
}

TEST(IndexCheckCuda, ValidChecksDoNotWaitForTheDevice) {
  EMBER_REQUIRE_CUDA();
#if defined(EMBER_WITH_CUDA)
  Tensor x = arange(12, TensorOptions().dtype(kFloat32)).view({3, 4}).to(gpu());
  Tensor i = tensor({2, 0}).to(gpu()), g = tensor({{1, 3}}).to(gpu());
  Tensor src = ones({1, 2}).to(gpu()), rows = ones({2, 4}).to(gpu());
  int64_t before = cuda::stream_sync_count();
  Tensor a = x.index_select(0, i);
  Tensor b = x.gather(1, g);
  Tensor c = x.scatter_add(1, g, src);
  Tensor d = x.index_add(0, i, rows);
  Tensor e = x.index({i, Slice()});
  EXPECT_EQ(cuda::stream_sync_count(), before);
  EXPECT_EQ(values(a), (std::vector<double>{8, 9, 10, 11, 0, 1, 2, 3}));
  EXPECT_EQ(values(b), (std::vector<double>{1, 3}));
  EXPECT_EQ(values(c), (std::vector<double>{0, 2, 2, 4, 4, 5, 6, 7, 8, 9, 10, 11}));
  EXPECT_EQ(values(d), (std::vector<double>{1, 2, 3, 4, 4, 5, 6, 7, 9, 10, 11, 12}));
  EXPECT_TRUE(close(e, a, 0, 0));
#endif
}
