// safetensors files written by the Python safetensors package (tests/data/safetensors, by
// make_fixture.py) load bit-exactly: the format is exchanged with its reference writer.
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

TEST(SafetensorsPeer, AFileThePythonPackageWroteLoadsBitExactly) {
  NamedTensorList loaded = load_tensors(std::string(EMBER_TEST_DATA_DIR) + "/safetensors/python.safetensors");
  auto get = [&](const std::string& name) {
    for (auto& [n, t] : loaded)
      if (n == name) return t;
    ADD_FAILURE() << "no tensor '" << name << "'";
    return Tensor();
  };
  EXPECT_EQ(loaded.size(), 11u);
  Tensor a = arange(6, TensorOptions().dtype(kFloat64)).view({2, 3});
  for (auto [name, dt] : {std::pair{"f64", kFloat64}, std::pair{"f32", kFloat32}, std::pair{"f16", kFloat16}})
    EXPECT_TRUE(bitwise_equal(get(name), (a * 0.5 - 1.25).to(dt))) << name;
  for (auto [name, dt] : {std::pair{"i64", kInt64}, std::pair{"i32", kInt32}, std::pair{"i16", kInt16}, std::pair{"i8", kInt8}})
    EXPECT_TRUE(bitwise_equal(get(name), (a * 37 - 100).to(dt))) << name;
  EXPECT_TRUE(bitwise_equal(get("u8"), (a * 40 + 7).to(kUInt8)));
  EXPECT_TRUE(bitwise_equal(get("bool"), a.remainder(2).eq(0)));
  Tensor scalar = get("scalar");
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.item<float>(), 2.5f);
  EXPECT_EQ(get("empty").sizes(), Shape({0, 4}));
}
