// .npy/.npz (include/ember/numpy_io.h) against NumPy itself: files NumPy wrote
// (tests/data/numpy, by make_fixtures.py) load bit-exactly, and files ember writes are read back
// by Debian's python3-numpy. Truncated and malformed files are errors that name the problem.
#include <fstream>

#include "ember/numpy_io.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

std::string fixture(const std::string& name) { return std::string(EMBER_TEST_DATA_DIR) + "/numpy/" + name; }

// make_fixtures.py's values(dtype), computed in ember.
Tensor fixture_values(ScalarType dt) {
  Tensor a = arange(6, TensorOptions().dtype(kFloat64)).view({2, 3});
  if (dt == kBool) return a.remainder(2).eq(0);
  if (is_floating(dt)) return (a * 0.5 - 1.25).to(dt);
  if (dt == kUInt8) return (a * 40 + 7).to(dt);
  return (a * 37 - 100).to(dt);
}

const char* kNumpy = "/usr/bin/python3";

bool numpy_available() { return run_command(std::string(kNumpy) + " -c 'import numpy' 2>/dev/null").code == 0; }

// What NumPy prints for an expression over `f` (the loaded file).
std::string numpy_says(const std::string& load, const std::string& expr) {
  auto r = run_command(std::string(kNumpy) + " -c \"import numpy as np; f = " + load + "; print(" + expr + ")\" 2>&1");
  EXPECT_EQ(r.code, 0) << r.out;
  return r.out;
}

std::string write_bytes(const std::string& name, const std::string& bytes) {
  std::string path = temp_file("ember_npy_" + name);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace

TEST(NumpyIO, EveryDtypeNumpyWroteLoadsBitExactly) {
  for (ScalarType dt : {kBool, kUInt8, kInt8, kInt16, kInt32, kInt64, kFloat16, kFloat32, kFloat64}) {
    Tensor t = load_npy(fixture(std::string(dtype_name(dt)) + ".npy"));
    EXPECT_EQ(t.dtype(), dt);
    EXPECT_TRUE(bitwise_equal(t, fixture_values(dt))) << dtype_name(dt);
  }
}

TEST(NumpyIO, BigEndianFortranScalarEmptyAndNewerVersionsLoad) {
  EXPECT_TRUE(bitwise_equal(load_npy(fixture("big_endian_int32.npy")), fixture_values(kInt32)));
  EXPECT_TRUE(bitwise_equal(load_npy(fixture("big_endian_float64.npy")), fixture_values(kFloat64)));
  Tensor f = load_npy(fixture("fortran_float32.npy"));
  EXPECT_EQ(f.sizes(), Shape({3, 4}));
  EXPECT_EQ(f.strides(), Shape({1, 3}));  // column-major, as NumPy keeps it
  EXPECT_TRUE(f.equal(arange(12, TensorOptions().dtype(kFloat32)).view({3, 4})));
  Tensor s = load_npy(fixture("scalar_float64.npy"));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item<double>(), 2.5);
  Tensor e = load_npy(fixture("empty_int64.npy"));
  EXPECT_EQ(e.sizes(), Shape({0, 3}));
  EXPECT_EQ(e.dtype(), kInt64);
  for (const char* v : {"version2_float32.npy", "version3_float32.npy"})
    EXPECT_TRUE(bitwise_equal(load_npy(fixture(v)), fixture_values(kFloat32))) << v;
}

TEST(NumpyIO, StoredAndCompressedNpzFromNumpyLoad) {
  for (const char* archive : {"stored.npz", "compressed.npz"}) {
    NamedTensorList m = load_npz(fixture(archive));
    ASSERT_EQ(m.size(), 3u) << archive;
    EXPECT_EQ(m[0].first, "weight");
    EXPECT_EQ(m[1].first, "index");
    EXPECT_EQ(m[2].first, "mask");
    EXPECT_TRUE(bitwise_equal(m[0].second, fixture_values(kFloat32))) << archive;
    EXPECT_TRUE(bitwise_equal(m[1].second, fixture_values(kInt64))) << archive;
    EXPECT_TRUE(bitwise_equal(m[2].second, fixture_values(kBool))) << archive;
  }
}

TEST(NumpyIO, RoundTripKeepsBytesLayoutAndDevice) {
  std::string path = temp_file("ember_npy_roundtrip.npy");
  for (ScalarType dt : {kBool, kUInt8, kInt8, kInt16, kInt32, kInt64, kFloat16, kFloat32, kFloat64}) {
    Tensor t = fixture_values(dt);
    save_npy(t, path);
    EXPECT_TRUE(bitwise_equal(load_npy(path), t)) << dtype_name(dt);
  }
  Tensor m = randn({5, 7});
  save_npy(m.t(), path);  // a transposed view is written in Fortran order, without a copy's reorder
  EXPECT_NE(file_bytes(path).find("'fortran_order': True"), std::string::npos);
  Tensor back = load_npy(path);
  EXPECT_EQ(back.strides(), Shape({1, 7}));
  EXPECT_TRUE(bitwise_equal(back, m.t()));
  Tensor strided = randn({6, 8}).slice(1, 1, 7, 2);  // neither order: written as C order
  save_npy(strided, path);
  EXPECT_TRUE(bitwise_equal(load_npy(path), strided.contiguous()));
  EXPECT_EQ(file_bytes(path).size() % 64, (strided.numel() * 4) % 64);  // data starts 64-aligned
}

TEST(NumpyIO, NumpyReadsWhatEmberWrites) {
  if (!numpy_available()) GTEST_SKIP() << "Debian's python3-numpy is not installed (scripts/ensure_deps.sh installs it)";
  std::string npy = temp_file("ember_npy_for_numpy.npy");
  save_npy(arange(12, TensorOptions().dtype(kFloat32)).view({3, 4}).t(), npy);
  EXPECT_EQ(numpy_says("np.load('" + npy + "')", "f.dtype, f.shape, f.flags.f_contiguous, f[1, 2], f.sum()"),
            "float32 (4, 3) True 9.0 66.0\n");
  save_npy(fixture_values(kInt16), npy);
  EXPECT_EQ(numpy_says("np.load('" + npy + "')", "f.dtype, f.tolist()"), "int16 [[-100, -63, -26], [11, 48, 85]]\n");
  save_npy(full({}, 3.25, TensorOptions().dtype(kFloat16)), npy);
  EXPECT_EQ(numpy_says("np.load('" + npy + "')", "f.dtype, f.shape, f"), "float16 () 3.25\n");
  for (bool compressed : {false, true}) {
    std::string npz = temp_file("ember_npz_for_numpy.npz");
    save_npz({{"w", fixture_values(kFloat64)}, {"mask", fixture_values(kBool)}}, npz, compressed);
    EXPECT_EQ(numpy_says("np.load('" + npz + "')",
                         "sorted(f.files), f['w'].tolist(), f['mask'].tolist(), f.zip.infolist()[0].compress_type"),
              std::string("['mask', 'w'] [[-1.25, -0.75, -0.25], [0.25, 0.75, 1.25]] [[True, False, True], "
                          "[False, True, False]] ") +
                  (compressed ? "8" : "0") + "\n");
  }
}

TEST(NumpyIO, NpzKeepsOrderAndRefusesDuplicatesAndBFloat16) {
  std::string path = temp_file("ember_npz_order.npz");
  save_npz({{"z", ones({2})}, {"a", zeros({3}, TensorOptions().dtype(kInt64))}}, path, true);
  NamedTensorList m = load_npz(path);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].first, "z");
  EXPECT_EQ(m[1].first, "a");
  EXPECT_EMBER_ERROR(save_npz({{"x", ones({1})}, {"x", ones({1})}}, path), "duplicate tensor name 'x'");
  EXPECT_EMBER_ERROR(save_npy(ones({2}, TensorOptions().dtype(kBFloat16)), path), "NumPy has no bfloat16 dtype");
  EXPECT_EQ(load_npz(path).size(), 2u);  // the failed saves left the archive as it was
}

TEST(NumpyIO, TruncatedOrMalformedFilesAreErrors) {
  std::string good = file_bytes(fixture("float32.npy"));
  EXPECT_EMBER_ERROR(load_npy(write_bytes("short.npy", good.substr(0, good.size() - 1))),
                     "is truncated: shape [2, 3] of float32 needs 24 bytes of data, 23 follow the header");
  EXPECT_EMBER_ERROR(load_npy(write_bytes("header.npy", good.substr(0, 40))), "the header says 118 bytes");
  EXPECT_EMBER_ERROR(load_npy(write_bytes("tiny.npy", good.substr(0, 5))), "too short for the .npy preamble");
  EXPECT_EMBER_ERROR(load_npy(write_bytes("magic.npy", "PK" + good)), "is not an .npy file");
  std::string bad_version = good;
  bad_version[6] = 9;
  EXPECT_EMBER_ERROR(load_npy(write_bytes("version.npy", bad_version)), ".npy format version 9.0 is not supported");
  auto with_header = [&](std::string from, const std::string& to) {
    std::string b = good;
    b.replace(b.find(from), from.size(), to);
    return write_bytes("edit.npy", b);
  };
  EXPECT_EMBER_ERROR(load_npy(with_header("'<f4'", "'<c8'")), "NumPy dtype '<c8' has no ember dtype");
  EXPECT_EMBER_ERROR(load_npy(with_header("'<f4'", "'<u4'")), "NumPy dtype '<u4' has no ember dtype");
  EXPECT_EMBER_ERROR(load_npy(with_header("(2, 3)", "(2, x)")), "malformed .npy header");
  EXPECT_EMBER_ERROR(load_npy(with_header("False", "Maybe")), "fortran_order is neither True nor False");
  EXPECT_EMBER_ERROR(load_npy(with_header("'shape'", "'shope'")), "unexpected key 'shope'");
  EXPECT_EMBER_ERROR(load_npy(with_header("(2, 3)", "(2, 99999999999999999999)")), "overflows int64");
  EXPECT_EMBER_ERROR(load_npy(temp_file("ember_npy_missing.npy")), "cannot open");
  std::string b = file_bytes(fixture("bool.npy"));
  b[b.size() - 1] = 2;
  EXPECT_EMBER_ERROR(load_npy(write_bytes("bool.npy", b)), "bool element 5 holds 2, not 0 or 1");

  std::string npz = file_bytes(fixture("compressed.npz"));
  EXPECT_EMBER_ERROR(load_npz(write_bytes("cut.npz", npz.substr(0, npz.size() / 2))), "as a zip archive");
  EXPECT_EMBER_ERROR(load_npz(write_bytes("notzip.npz", good)), "as a zip archive");
  std::string flipped = npz;
  flipped[60] = static_cast<char>(flipped[60] ^ 0x55);  // inside the first member's deflated data
  EXPECT_EMBER_ERROR(load_npz(write_bytes("flipped.npz", flipped)), "member 'weight.npy' of");
}

// Found by fuzz_npy: an empty Fortran-order array whose other dimensions multiply past int64
// (the shape is reversed first, so the 0 came last) overflowed while counting its elements.
TEST(NumpyIO, EmptyArraysWithHugeDimensionsLoad) {
  std::string h = "{'descr': '<f4', 'fortran_order': True, 'shape': (0, 1401379325, 30, 1401379325, 3), }";
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size() & 0xff) + static_cast<char>(h.size() >> 8) + h;
  Tensor t = load_npy(write_bytes("huge_empty.npy", bytes));
  EXPECT_EQ(t.sizes(), (Shape{0, 1401379325, 30, 1401379325, 3}));
  EXPECT_EQ(t.numel(), 0);
  EXPECT_EMBER_ERROR(empty({int64_t{1} << 40, int64_t{1} << 40}), "has more elements than int64 can count");
}
