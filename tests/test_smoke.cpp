#include "test_util.h"

using namespace ember;
using namespace ember::testing;

TEST(Smoke, AddAndPrint) {
  auto a = tensor({{1.0, 2.0}, {3.0, 4.0}});
  EXPECT_EQ((a + 1).toString(), "tensor([[2., 3.],\n        [4., 5.]])");
}

TEST(Smoke, NoCudaDeviceIsNotAnError) {
  EXPECT_GE(cuda::device_count(), 0);
  if (!cuda::is_available()) {
    EXPECT_EMBER_ERROR(zeros({2}, Device(kCUDA)), "");
  }
}
