#include "ember/serialize.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "ember/functional.h"
#include "ember/grad_mode.h"
#include "frontend/atomic_file.h"

namespace ember {

namespace {

using json = nlohmann::json;

const std::vector<std::pair<ScalarType, const char*>>& dtype_codes() {
  static const std::vector<std::pair<ScalarType, const char*>> codes = {
      {kBool, "BOOL"}, {kUInt8, "U8"},   {kInt8, "I8"},      {kInt16, "I16"}, {kInt32, "I32"},
      {kInt64, "I64"}, {kFloat16, "F16"}, {kBFloat16, "BF16"}, {kFloat32, "F32"}, {kFloat64, "F64"}};
  return codes;
}

const char* code_of(ScalarType t) {
  for (auto& [dt, c] : dtype_codes())
    if (dt == t) return c;
  EMBER_FAIL("save: dtype ", dtype_name(t), " has no safetensors code");
}

ScalarType dtype_of_code(const std::string& c, const std::string& path, const std::string& name) {
  for (auto& [dt, code] : dtype_codes())
    if (c == code) return dt;
  EMBER_FAIL("corrupt safetensors file '", path, "': tensor '", name, "' has unknown dtype '", c, "'");
}

[[noreturn]] void corrupt(const std::string& path, const std::string& why) {
  EMBER_FAIL("corrupt safetensors file '", path, "': ", why);
}

}  // namespace

void save_tensors(const NamedTensorList& tensors, const std::string& path) {
  json header = json::object();
  header["__metadata__"] = {{"format", "ember"}};
  std::vector<Tensor> host;
  uint64_t offset = 0;
  std::set<std::string> names;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(t.defined(), "save: tensor '", name, "' is undefined");
    EMBER_CHECK(names.insert(name).second, "save: duplicate tensor name '", name, "'");
    Tensor h = t.detach().to(Device(kCPU)).contiguous();
    uint64_t n = h.nbytes();
    header[name] = {{"dtype", code_of(h.dtype())}, {"shape", h.sizes()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
    host.push_back(h);
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8) text.push_back(' ');
  write_file_atomically(path, [&](std::ostream& f) {
    uint64_t hlen = text.size();
    unsigned char len_bytes[8];
    for (int i = 0; i < 8; ++i) len_bytes[i] = static_cast<unsigned char>(hlen >> (8 * i));
    f.write(reinterpret_cast<const char*>(len_bytes), 8);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& h : host) f.write(static_cast<const char*>(h.data_ptr()), static_cast<std::streamsize>(h.nbytes()));
  }, "save");
}

NamedTensorList load_tensors(const std::string& path, Device device) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  EMBER_CHECK(f, "load: cannot open '", path, "'");
  uint64_t size = static_cast<uint64_t>(f.tellg());
  f.seekg(0);
  if (size < 8) corrupt(path, "shorter than the 8-byte header length");
  unsigned char len_bytes[8];
  f.read(reinterpret_cast<char*>(len_bytes), 8);
  uint64_t hlen = 0;
  for (int i = 0; i < 8; ++i) hlen |= static_cast<uint64_t>(len_bytes[i]) << (8 * i);
  if (hlen > size - 8) corrupt(path, "header length " + std::to_string(hlen) + " exceeds the file size");
  std::string text(hlen, '\0');
  f.read(text.data(), static_cast<std::streamsize>(hlen));
  json header;
  try {
    header = json::parse(text);
  } catch (const json::exception& e) {
    corrupt(path, std::string("invalid JSON header (") + e.what() + ")");
  }
  if (!header.is_object()) corrupt(path, "the header is not a JSON object");
  uint64_t data_size = size - 8 - hlen;
  std::vector<char> data(data_size);
  f.read(data.data(), static_cast<std::streamsize>(data_size));
  if (!f) corrupt(path, "could not read the data section");

  NamedTensorList out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") continue;
    const json& e = it.value();
    try {
      ScalarType dt = dtype_of_code(e.at("dtype").get<std::string>(), path, name);
      Shape shape = e.at("shape").get<Shape>();
      auto offs = e.at("data_offsets").get<std::vector<uint64_t>>();
      if (offs.size() != 2 || offs[0] > offs[1] || offs[1] > data_size)
        corrupt(path, "tensor '" + name + "' has data offsets outside the data section");
      for (auto s : shape)
        if (s < 0) corrupt(path, "tensor '" + name + "' has a negative dimension");
      uint64_t want = static_cast<uint64_t>(numel_of(shape)) * itemsize(dt);
      if (offs[1] - offs[0] != want)
        corrupt(path, "tensor '" + name + "' needs " + std::to_string(want) + " bytes but its offsets span " +
                          std::to_string(offs[1] - offs[0]));
      Tensor t = empty(shape, TensorOptions().dtype(dt));
      if (want) std::memcpy(t.data_ptr(), data.data() + offs[0], want);
      out.emplace_back(name, t.to(device));
    } catch (const json::exception& ex) {
      corrupt(path, "entry '" + name + "' is malformed (" + ex.what() + ")");
    }
  }
  return out;
}

void save(const nn::Module& module, const std::string& path) {
  NamedTensorList all = module.named_parameters().pairs();
  for (auto& b : module.named_buffers()) all.push_back(b.pair());
  save_tensors(all, path);
}

void load(nn::Module& module, const std::string& path) {
  NamedTensorList targets = module.named_parameters().pairs();
  for (auto& b : module.named_buffers()) targets.push_back(b.pair());
  NamedTensorList loaded = load_tensors(path);
  std::string problems;
  std::set<std::string> seen;
  for (const auto& [name, t] : loaded) {
    seen.insert(name);
    const Tensor* target = nullptr;
    for (const auto& [n, p] : targets)
      if (n == name) target = &p;
    if (!target) {
      problems += "\n  unexpected key '" + name + "'";
      continue;
    }
    if (target->sizes() != t.sizes() || target->dtype() != t.dtype())
      problems += "\n  '" + name + "': file has " + dtype_name(t.dtype()) + " " + shape_str(t.sizes()) +
                  ", module has " + dtype_name(target->dtype()) + " " + shape_str(target->sizes());
  }
  for (const auto& [n, _] : targets)
    if (!seen.count(n)) problems += "\n  missing key '" + n + "'";
  EMBER_CHECK(problems.empty(), "load: '", path, "' does not match the module:", problems);
  NoGradGuard g;
  for (const auto& [name, t] : loaded)
    for (const auto& [n, p] : targets)
      if (n == name) p.copy_(t);
}

}  // namespace ember
