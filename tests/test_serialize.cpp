// Saving and loading tensors and modules (safetensors), and every way a file can be bad.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

std::string temp_path(const std::string& name) { return temp_file("ember_test_" + name); }

void write_raw(const std::string& path, const std::string& header, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) f.put(static_cast<char>(n >> (8 * i)));
  f << header << data;
}

struct NetImpl : nn::Module {
  NetImpl() {
    a = register_module("a", nn::Linear(3, 4));
    b = register_module("b", nn::Linear(4, 2));
  }
  nn::Linear a{nullptr}, b{nullptr};
};
EMBER_MODULE(Net);

}  // namespace

TEST(Serialize, TensorsRoundTripAllDtypes) {
  NamedTensorList ts;
  for (ScalarType dt : {kFloat32, kFloat64, kFloat16, kBFloat16, kInt64, kInt32, kInt16, kInt8, kUInt8, kBool})
    ts.emplace_back(dtype_name(dt), (randn({2, 3}) * 10).to(dt));
  ts.emplace_back("scalar", tensor(3.5));
  ts.emplace_back("empty", zeros({0, 4}));
  ts.emplace_back("strided", randn({4, 5}).t());
  std::string path = temp_path("all.safetensors");
  save_tensors(ts, path);
  auto back = load_tensors(path);
  ASSERT_EQ(back.size(), ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    bool found = false;
    for (auto& [n, t] : back)
      if (n == ts[i].first) {
        found = true;
        EXPECT_EQ(t.dtype(), ts[i].second.dtype()) << n;
        EXPECT_TRUE(bitwise_equal(t, ts[i].second.contiguous())) << n;
      }
    EXPECT_TRUE(found) << ts[i].first;
  }
  std::remove(path.c_str());
}

TEST(Serialize, ModuleRoundTrip) {
  Net a, b;
  std::string path = temp_path("net.safetensors");
  save(a, path);
  Tensor w = b->a->weight;
  load(b, path);
  EXPECT_TRUE(w.is_same(b->a->weight));
  EXPECT_TRUE(bitwise_equal(b->a->weight, a->a->weight));
  EXPECT_TRUE(bitwise_equal(b->b->bias, a->b->bias));
  std::remove(path.c_str());
}

TEST(Serialize, MismatchedModuleIsAnError) {
  std::string path = temp_path("mismatch.safetensors");
  save_tensors({{"a.weight", zeros({4, 3})}, {"a.bias", zeros({5})}, {"extra", zeros({1})}}, path);
  Net n;
  try {
    load(n, path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("unexpected key 'extra'"), std::string::npos) << m;
    EXPECT_NE(m.find("'a.bias': file has float32 [5], module has float32 [4]"), std::string::npos) << m;
    EXPECT_NE(m.find("missing key 'b.weight'"), std::string::npos) << m;
  }
  std::remove(path.c_str());
}

TEST(Serialize, CorruptFilesAreReported) {
  std::string path = temp_path("corrupt.safetensors");
  {
    std::ofstream f(path, std::ios::binary);
    f << "abc";
  }
  EXPECT_EMBER_ERROR(load_tensors(path), "shorter than the 8-byte header");
  write_raw(path, std::string(100, '{'), "");
  EXPECT_EMBER_ERROR(load_tensors(path), "invalid JSON header");
  {
    std::ofstream f(path, std::ios::binary);
    uint64_t n = 1000000;
    for (int i = 0; i < 8; ++i) f.put(static_cast<char>(n >> (8 * i)));
    f << "{}";
  }
  EXPECT_EMBER_ERROR(load_tensors(path), "exceeds the file size");
  write_raw(path, R"({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}})", std::string(8, '\0'));
  EXPECT_EMBER_ERROR(load_tensors(path), "outside the data section");
  write_raw(path, R"({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", std::string(8, '\0'));
  EXPECT_EMBER_ERROR(load_tensors(path), "needs 12 bytes");
  write_raw(path, R"({"x": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}})", std::string(8, '\0'));
  EXPECT_EMBER_ERROR(load_tensors(path), "unknown dtype 'Q7'");
  write_raw(path, R"({"x": {"dtype": "F32", "shape": "two", "data_offsets": [0, 8]}})", std::string(8, '\0'));
  EXPECT_EMBER_ERROR(load_tensors(path), "malformed");
  write_raw(path, R"([1, 2])", "");
  EXPECT_EMBER_ERROR(load_tensors(path), "not a JSON object");
  // A bool byte other than 0 or 1 (fuzz_safetensors found the sum reading it as a bool).
  write_raw(path, R"({"m": {"dtype": "BOOL", "shape": [4], "data_offsets": [0, 4]}})", std::string("\1\0\1\254", 4));
  EXPECT_EMBER_ERROR(load_tensors(path), "tensor 'm': bool element 3 holds 172, not 0 or 1");
  EXPECT_EMBER_ERROR(load_tensors(temp_path("does_not_exist")), "cannot open");
  std::remove(path.c_str());
}

TEST(Serialize, SaveIsAtomic) {
  std::string path = temp_path("atomic.safetensors");
  save_tensors({{"x", ones({3})}}, path);
  // A failed save (undefined tensor) leaves the previous file intact.
  EXPECT_EMBER_ERROR(save_tensors({{"x", Tensor()}}, path), "undefined");
  auto back = load_tensors(path);
  EXPECT_TRUE(close(back[0].second, ones({3})));
  std::remove(path.c_str());
}
