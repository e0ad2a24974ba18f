#include "frontend/safetensors_format.h"

#include "frontend/bool_bytes.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "ember/functional.h"

namespace ember::safetensors {

namespace {

using json = nlohmann::json;

const std::vector<std::pair<ScalarType, const char*>>& dtype_codes() {
  static const std::vector<std::pair<ScalarType, const char*>> codes = {
      {kBool, "BOOL"}, {kUInt8, "U8"},   {kInt8, "I8"},      {kInt16, "I16"}, {kInt32, "I32"},
      {kInt64, "I64"}, {kFloat16, "F16"}, {kBFloat16, "BF16"}, {kFloat32, "F32"}, {kFloat64, "F64"}};
  return codes;
}

const char* code_of(ScalarType t, const char* who) {
  for (auto& [dt, c] : dtype_codes())
    if (dt == t) return c;
  EMBER_FAIL(who, ": dtype ", dtype_name(t), " has no safetensors code");
}

[[noreturn]] void corrupt(const std::string& where, const std::string& why) {
  EMBER_FAIL("corrupt safetensors file '", where, "': ", why);
}

ScalarType dtype_of_code(const std::string& c, const std::string& where, const std::string& name) {
  for (auto& [dt, code] : dtype_codes())
    if (c == code) return dt;
  corrupt(where, "tensor '" + name + "' has unknown dtype '" + c + "'");
}

}  // namespace

std::string encode(const NamedTensorList& tensors, const char* who) {
  json header = json::object();
  header["__metadata__"] = {{"format", "ember"}};
  std::vector<Tensor> host;
  uint64_t offset = 0;
  std::set<std::string> names;
  for (const auto& [name, t] : tensors) {
    EMBER_CHECK(t.defined(), who, ": tensor '", name, "' is undefined");
    EMBER_CHECK(names.insert(name).second, who, ": duplicate tensor name '", name, "'");
    Tensor h = t.detach().to(Device(kCPU)).contiguous();
    uint64_t n = h.nbytes();
    header[name] = {{"dtype", code_of(h.dtype(), who)}, {"shape", h.sizes()}, {"data_offsets", {offset, offset + n}}};
    offset += n;
    host.push_back(h);
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8) text.push_back(' ');
  std::string out;
  out.reserve(8 + text.size() + offset);
  uint64_t hlen = text.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(hlen >> (8 * i)));
  out += text;
  for (const auto& h : host) out.append(static_cast<const char*>(h.data_ptr()), h.nbytes());
  return out;
}

NamedTensorList decode(const char* bytes, size_t size, const std::string& where, Device device) {
  if (size < 8) corrupt(where, "shorter than the 8-byte header length");
  uint64_t hlen = 0;
  for (int i = 0; i < 8; ++i) hlen |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (hlen > size - 8) corrupt(where, "header length " + std::to_string(hlen) + " exceeds the file size");
  json header;
  try {
    header = json::parse(bytes + 8, bytes + 8 + hlen);
  } catch (const json::exception& e) {
    corrupt(where, std::string("invalid JSON header (") + e.what() + ")");
  }
  if (!header.is_object()) corrupt(where, "the header is not a JSON object");
  const char* data = bytes + 8 + hlen;
  uint64_t data_size = size - 8 - hlen;

  NamedTensorList out;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") continue;
    const json& e = it.value();
    try {
      ScalarType dt = dtype_of_code(e.at("dtype").get<std::string>(), where, name);
      Shape shape = e.at("shape").get<Shape>();
      auto offs = e.at("data_offsets").get<std::vector<uint64_t>>();
      if (offs.size() != 2 || offs[0] > offs[1] || offs[1] > data_size)
        corrupt(where, "tensor '" + name + "' has data offsets outside the data section");
      for (auto s : shape)
        if (s < 0) corrupt(where, "tensor '" + name + "' has a negative dimension");
      uint64_t want = static_cast<uint64_t>(numel_of(shape)) * itemsize(dt);
      if (offs[1] - offs[0] != want)
        corrupt(where, "tensor '" + name + "' needs " + std::to_string(want) + " bytes but its offsets span " +
                           std::to_string(offs[1] - offs[0]));
      Tensor t = empty(shape, TensorOptions().dtype(dt));
      if (want) std::memcpy(t.data_ptr(), data + offs[0], want);
      check_bool_bytes(t, "corrupt safetensors file '" + where + "': tensor '" + name + "'");
      out.emplace_back(name, t.to(device));
    } catch (const json::exception& ex) {
      corrupt(where, "entry '" + name + "' is malformed (" + ex.what() + ")");
    }
  }
  return out;
}

}  // namespace ember::safetensors
