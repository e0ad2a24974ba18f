#include "compiler/codegen/nvrtc.h"

#include <nvrtc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "compiler/fused_kernel.h"
#include "compiler/hash.h"
#include "compiler/log.h"
#include "ember/error.h"

namespace ember::jit {

namespace {

constexpr char kMagic[8] = {'E', 'M', 'B', 'R', 'C', 'U', 'B', '1'};
// project(VERSION) from CMakeLists.txt: a new ember may generate the same source against
// different code.
constexpr char kEmberVersion[] = EMBER_VERSION;

std::string hex(uint64_t v) {
  std::ostringstream os;
  os << std::hex << std::setw(16) << std::setfill('0') << v;
  return os.str();
}

// Counts and lengths go in with the bytes, so two different field lists never hash the
// same stream.
uint64_t mix(uint64_t h, uint64_t v) { return fnv1a(&v, sizeof v, h); }
uint64_t mix(uint64_t h, std::string_view field) { return fnv1a(field, mix(h, field.size())); }

uint64_t headers_hash(const std::vector<EmbeddedHeader>& headers) {
  uint64_t h = mix(kFnv1aBasis, headers.size());
  for (const auto& header : headers) h = mix(mix(h, header.name), header.text);
  return h;
}

uint64_t embedded_headers_hash() {
  static const uint64_t h = headers_hash(embedded_headers());
  return h;
}

std::string key_of(const std::string& source, const std::vector<std::string>& options, uint64_t headers) {
  uint64_t h = mix(mix(kFnv1aBasis, kEmberVersion), nvrtc_version());
  h = mix(h, options.size());
  for (const auto& o : options) h = mix(h, o);
  return hex(mix(mix(h, headers), source));
}

std::mutex g_mu;
std::unordered_map<std::string, std::shared_ptr<const std::vector<char>>> g_memory;

void check(nvrtcResult r, const char* what) {
  EMBER_CHECK(r == NVRTC_SUCCESS, "NVRTC error in ", what, ": ", nvrtcGetErrorString(r));
}

bool read_entry(const std::filesystem::path& path, std::vector<char>* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  char magic[8];
  uint64_t size = 0, sum = 0;
  f.read(magic, 8);
  f.read(reinterpret_cast<char*>(&size), 8);
  f.read(reinterpret_cast<char*>(&sum), 8);
  if (!f || std::memcmp(magic, kMagic, 8) != 0 || size > (uint64_t{1} << 30)) return false;
  out->resize(size);
  f.read(out->data(), static_cast<std::streamsize>(size));
  if (!f || f.gcount() != static_cast<std::streamsize>(size)) return false;
  if (f.peek() != EOF) return false;
  return fnv1a(out->data(), out->size()) == sum;
}

// An unwritable cache (read-only, full, not a directory) only costs compile time: said once.
void warn_unwritable(const std::filesystem::path& dir, const std::string& why) {
  static std::atomic<bool> warned{false};
  if (warned.exchange(true)) return;
  std::cerr << "[ember] warning: cannot write the kernel cache in '" << dir.string() << "' (" << why
            << "); compiled kernels are kept in memory only (EMBER_CACHE_DIR moves the cache)\n";
}

void write_entry(const std::filesystem::path& path, const std::vector<char>& cubin) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return warn_unwritable(path.parent_path(), ec.message());
  std::ostringstream tmp_name;
  tmp_name << path.string() << ".tmp." << ::getpid() << "." << std::this_thread::get_id();
  std::string tmp = tmp_name.str();
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return warn_unwritable(path.parent_path(), std::strerror(errno));
    uint64_t size = cubin.size(), sum = fnv1a(cubin.data(), cubin.size());
    f.write(kMagic, 8);
    f.write(reinterpret_cast<const char*>(&size), 8);
    f.write(reinterpret_cast<const char*>(&sum), 8);
    f.write(cubin.data(), static_cast<std::streamsize>(cubin.size()));
    f.flush();
    if (!f) {
      std::filesystem::remove(tmp, ec);
      return warn_unwritable(path.parent_path(), "writing failed (is the disk full?)");
    }
  }
  // Renamed into place whole: a reader, or another process writing the same entry, never
  // sees a torn file.
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    warn_unwritable(path.parent_path(), ec.message());
    std::filesystem::remove(tmp, ec);
  }
}

std::vector<char> compile_now(const std::string& source, const std::string& name, int arch,
                              const std::vector<EmbeddedHeader>& headers) {
  std::vector<const char*> texts, names;
  for (const auto& h : headers) {
    texts.push_back(h.text);
    names.push_back(h.name);
  }
  nvrtcProgram prog;
  check(nvrtcCreateProgram(&prog, source.c_str(), (name + ".cu").c_str(), static_cast<int>(texts.size()),
                           texts.data(), names.data()),
        "nvrtcCreateProgram");
  std::vector<std::string> options = nvrtc_options(arch);
  std::vector<const char*> opts;
  for (const auto& o : options) opts.push_back(o.c_str());
  nvrtcResult r = nvrtcCompileProgram(prog, static_cast<int>(opts.size()), opts.data());
  size_t log_size = 0;
  nvrtcGetProgramLogSize(prog, &log_size);
  std::string log(log_size, '\0');
  if (log_size) nvrtcGetProgramLog(prog, log.data());
  log.resize(std::strlen(log.c_str()));  // drop the terminating NUL NVRTC counts
  if (r != NVRTC_SUCCESS) {
    nvrtcDestroyProgram(&prog);
    EMBER_FAIL("NVRTC failed to compile ", name, " for sm_", arch, ": ", nvrtcGetErrorString(r),
               "\n--- log ---\n", log, "\n--- source ---\n", source);
  }
  size_t size = 0;
  std::vector<char> image;
  if (nvrtc_ptx_arch(arch)) {  // PTX, NUL-terminated: the driver compiles it for the device
    check(nvrtcGetPTXSize(prog, &size), "nvrtcGetPTXSize");
    image.resize(size);
    check(nvrtcGetPTX(prog, image.data()), "nvrtcGetPTX");
  } else {
    check(nvrtcGetCUBINSize(prog, &size), "nvrtcGetCUBINSize");
    image.resize(size);
    check(nvrtcGetCUBIN(prog, image.data()), "nvrtcGetCUBIN");
  }
  nvrtcDestroyProgram(&prog);
  return image;
}

NvrtcResult compile_cached(const std::string& source, const std::string& name, int arch,
                           const std::vector<EmbeddedHeader>& headers, const std::string& key) {
  auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  {
    std::lock_guard<std::mutex> g(g_mu);
    auto it = g_memory.find(key);
    if (it != g_memory.end()) {
      EMBER_LOG("cache", name << ": in-memory kernel cache hit");
      return {it->second, NvrtcResult::Origin::Memory, elapsed()};
    }
  }
  std::filesystem::path path = std::filesystem::path(kernel_cache_dir()) / (key + ".cubin");
  std::vector<char> cubin;
  NvrtcResult::Origin origin = NvrtcResult::Origin::Disk;
  if (read_entry(path, &cubin)) {
    EMBER_LOG("cache", name << ": disk kernel cache hit " << path.string());
  } else {
    if (std::filesystem::exists(path)) EMBER_LOG("cache", name << ": corrupt cache entry " << path.string() << " rebuilt");
    else EMBER_LOG("cache", name << ": kernel cache miss, compiling with NVRTC " << nvrtc_version());
    cubin = compile_now(source, name, arch, headers);
    write_entry(path, cubin);
    origin = NvrtcResult::Origin::Compiled;
  }
  auto shared = std::make_shared<const std::vector<char>>(std::move(cubin));
  {
    std::lock_guard<std::mutex> g(g_mu);
    g_memory[key] = shared;
  }
  double ms = elapsed();
  EMBER_LOG("codegen", name << ": cubin ready in " << ms << " ms");
  return {shared, origin, ms};
}

}  // namespace

int nvrtc_ptx_arch(int arch) {
  int count = 0;
  if (nvrtcGetNumSupportedArchs(&count) != NVRTC_SUCCESS || count <= 0) return 0;
  std::vector<int> archs(static_cast<size_t>(count));
  if (nvrtcGetSupportedArchs(archs.data()) != NVRTC_SUCCESS) return 0;
  int below = 0;
  for (int a : archs) {
    if (a == arch) return 0;
    if (a < arch && a > below) below = a;
  }
  EMBER_CHECK(below > 0, "NVRTC ", nvrtc_version(), " cannot compile for sm_", arch, " or any older architecture");
  return below;
}

std::vector<std::string> nvrtc_options(int arch) {
  int ptx = nvrtc_ptx_arch(arch);
  std::string target = ptx ? "compute_" + std::to_string(ptx) : "sm_" + std::to_string(arch);
  return {"--gpu-architecture=" + target, "--std=c++17", "--fmad=false", "-DEMBER_NVRTC=1"};
}

std::string kernel_cache_key(const std::string& source, const std::vector<std::string>& options,
                             const std::vector<EmbeddedHeader>& headers) {
  return key_of(source, options, headers_hash(headers));
}

std::string kernel_cache_key(const std::string& source, int arch) {
  return key_of(source, nvrtc_options(arch), embedded_headers_hash());
}

std::string nvrtc_version() {
  int major = 0, minor = 0;
  nvrtcVersion(&major, &minor);
  return std::to_string(major) + "." + std::to_string(minor);
}

std::string kernel_cache_dir() {
  if (const char* d = std::getenv("EMBER_CACHE_DIR")) return std::string(d) + "/kernels";
  if (const char* home = std::getenv("HOME")) return std::string(home) + "/.cache/ember/kernels";
  return "/tmp/ember-cache/kernels";
}

int default_cuda_arch() {
  if (const char* a = std::getenv("EMBER_CUDA_ARCH")) return std::atoi(a);
  return 90;
}

void preload_kernel_binary(const std::string& cache_key, std::vector<char> bytes) {
  std::lock_guard<std::mutex> g(g_mu);
  g_memory[cache_key] = std::make_shared<const std::vector<char>>(std::move(bytes));
}

std::string kernel_binary_key(const std::string& source, int arch) { return kernel_cache_key(source, arch); }

void clear_memory_kernel_cache() {
  std::lock_guard<std::mutex> g(g_mu);
  g_memory.clear();
}

NvrtcResult nvrtc_compile(const std::string& source, const std::string& name, int arch) {
  return compile_cached(source, name, arch, embedded_headers(), kernel_cache_key(source, arch));
}

NvrtcResult nvrtc_compile(const std::string& source, const std::string& name, int arch,
                          const std::vector<EmbeddedHeader>& headers) {
  return compile_cached(source, name, arch, headers, kernel_cache_key(source, nvrtc_options(arch), headers));
}

}  // namespace ember::jit
