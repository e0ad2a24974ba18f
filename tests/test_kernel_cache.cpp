// The kernel cache key follows everything that can change a cubin: the source, every NVRTC
// option, the NVRTC and ember versions, and the embedded device headers, so an edited
// functor never loads a stale cubin. NVRTC only, no GPU needed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#ifdef EMBER_WITH_CUDA
#include "compiler/codegen/nvrtc.h"

using namespace ember;

namespace {

const std::string kSource =
    "#include \"cast.h\"\n#include \"pointwise.h\"\nusing namespace ember::dev;\n"
    "extern \"C\" __global__ void kernel_cache_probe(float* x) { x[threadIdx.x] += 1.0f; }\n";

size_t header_index(const std::string& name) {
  const auto& headers = jit::embedded_headers();
  for (size_t i = 0; i < headers.size(); ++i)
    if (headers[i].name == name) return i;
  ADD_FAILURE() << name << " is not embedded";
  return 0;
}

// The embedded headers with `name`'s text replaced by `text`, which must outlive them.
std::vector<jit::EmbeddedHeader> with_text(const std::string& name, const std::string& text) {
  auto headers = jit::embedded_headers();
  headers[header_index(name)].text = text.c_str();
  return headers;
}

std::string key(const std::vector<jit::EmbeddedHeader>& headers, int arch = 90) {
  return jit::kernel_cache_key(kSource, jit::nvrtc_options(arch), headers);
}

}  // namespace

TEST(KernelCache, SameInputsGiveTheSameKey) {
  const auto& headers = jit::embedded_headers();
  EXPECT_EQ(key(headers), key(headers));
  EXPECT_EQ(key(headers), jit::kernel_cache_key(kSource, 90));  // what nvrtc_compile uses
  auto copy = jit::embedded_headers();
  EXPECT_EQ(key(copy), key(headers));
  EXPECT_NE(jit::kernel_cache_key(kSource + " ", 90), jit::kernel_cache_key(kSource, 90));
}

TEST(KernelCache, EditedHeaderChangesTheKey) {
  const auto& headers = jit::embedded_headers();
  ASSERT_FALSE(headers.empty());
  std::string edited = std::string(headers[header_index("pointwise.h")].text) + "\n// edited\n";
  EXPECT_NE(key(with_text("pointwise.h", edited)), key(headers));
  // A header the source only reaches through others counts too.
  std::string config = std::string(headers[header_index("config.h")].text) + " ";
  EXPECT_NE(key(with_text("config.h", config)), key(headers));
  auto renamed = headers;
  renamed[0].name = "renamed.h";
  EXPECT_NE(key(renamed), key(headers));
  auto fewer = headers;
  fewer.pop_back();
  EXPECT_NE(key(fewer), key(headers));
}

TEST(KernelCache, EveryOptionIsInTheKey) {
  const auto& headers = jit::embedded_headers();
  auto base = jit::nvrtc_options(90);
  std::string k = jit::kernel_cache_key(kSource, base, headers);
  EXPECT_NE(key(headers, 80), k);
  for (size_t i = 0; i < base.size(); ++i) {
    auto dropped = base;
    dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(i));
    EXPECT_NE(jit::kernel_cache_key(kSource, dropped, headers), k) << "without " << base[i];
  }
  auto extra = base;
  extra.push_back("-lineinfo");
  EXPECT_NE(jit::kernel_cache_key(kSource, extra, headers), k);
  // Boundaries count: {"-DA", "B"} and {"-DAB"} are different options.
  EXPECT_NE(jit::kernel_cache_key(kSource, {"-DA", "B"}, headers), jit::kernel_cache_key(kSource, {"-DAB"}, headers));
}

TEST(KernelCache, DiskCacheMissesAfterAHeaderEdit) {
  auto dir = std::filesystem::temp_directory_path() / "ember_kernel_cache_key_test";
  std::filesystem::remove_all(dir);
  setenv("EMBER_CACHE_DIR", dir.c_str(), 1);
  const auto& real = jit::embedded_headers();
  std::string text = std::string(real[header_index("pointwise.h")].text) + "\n// edited\n";
  auto edited = with_text("pointwise.h", text);
  using Origin = jit::NvrtcResult::Origin;
  jit::clear_memory_kernel_cache();
  EXPECT_EQ(jit::nvrtc_compile(kSource, "probe", 90).origin, Origin::Compiled);
  EXPECT_EQ(jit::nvrtc_compile(kSource, "probe", 90, edited).origin, Origin::Compiled);  // neither level hits
  EXPECT_TRUE(std::filesystem::exists(dir / "kernels" / (jit::kernel_cache_key(kSource, 90) + ".cubin")));
  EXPECT_TRUE(std::filesystem::exists(dir / "kernels" / (key(edited) + ".cubin")));
  jit::clear_memory_kernel_cache();
  EXPECT_EQ(jit::nvrtc_compile(kSource, "probe", 90).origin, Origin::Disk);
  EXPECT_EQ(jit::nvrtc_compile(kSource, "probe", 90, edited).origin, Origin::Disk);
  unsetenv("EMBER_CACHE_DIR");
  std::filesystem::remove_all(dir);
}

#else

TEST(KernelCache, SameInputsGiveTheSameKey) {
  GTEST_SKIP() << "built without the CUDA toolkit: NVRTC is not available";
}

#endif
