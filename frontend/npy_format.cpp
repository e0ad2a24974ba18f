#include "frontend/npy_format.h"

#include "frontend/bool_bytes.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

#include "ember/functional.h"

namespace ember::npy {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlign = 64;  // NumPy pads the header so that the data starts 64-aligned

const char* descr_of(ScalarType t, const char* who) {
  switch (t) {
    case kBool: return "|b1";
    case kUInt8: return "|u1";
    case kInt8: return "|i1";
    case kInt16: return "<i2";
    case kInt32: return "<i4";
    case kInt64: return "<i8";
    case kFloat16: return "<f2";
    case kFloat32: return "<f4";
    case kFloat64: return "<f8";
    default: break;
  }
  EMBER_FAIL(who, ": NumPy has no ", dtype_name(t), " dtype; convert first (for example .to(kFloat32))");
}

std::string shape_tuple(IntArrayRef sizes) {
  std::string s = "(";
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + (sizes.size() == 1 ? ",)" : ")");
}

// The dictionary NumPy writes: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
struct Header {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
};

// A reader for the one Python literal NumPy's header holds.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& where) : s_(text), where_(where) {}

  Header parse() {
    Header h;
    bool has_descr = false, has_order = false, has_shape = false;
    expect('{');
    while (!peek('}')) {
      std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        if (peek('[')) fail("structured dtypes (a list descr) are not supported");
        h.descr = string_literal();
        has_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
        has_order = true;
      } else if (key == "shape") {
        h.shape = tuple();
        has_shape = true;
      } else {
        fail("unexpected key '" + key + "'");
      }
      if (!peek('}')) expect(',');
    }
    expect('}');
    if (!has_descr || !has_order || !has_shape) fail("the header lacks 'descr', 'fortran_order' or 'shape'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    EMBER_FAIL("malformed .npy header in ", where_, ": ", why, " (header: ", s_, ")");
  }
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool peek(char c) {
    skip_space();
    return i_ < s_.size() && s_[i_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(i_));
    ++i_;
  }
  std::string string_literal() {
    skip_space();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("expected a string at offset " + std::to_string(i_));
    char quote = s_[i_++];
    size_t end = s_.find(quote, i_);
    if (end == std::string::npos) fail("unterminated string");
    std::string out = s_.substr(i_, end - i_);
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    skip_space();
    for (auto [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      size_t n = std::strlen(word);
      if (s_.compare(i_, n, word) == 0) {
        i_ += n;
        return value;
      }
    }
    fail("fortran_order is neither True nor False");
  }
  Shape tuple() {
    Shape out;
    expect('(');
    while (!peek(')')) {
      skip_space();
      size_t start = i_;
      int64_t v = 0;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) fail("a dimension overflows int64");
        v = v * 10 + (s_[i_++] - '0');
      }
      if (i_ == start) fail("the shape holds something other than non-negative integers");
      out.push_back(v);
      if (!peek(')')) expect(',');
    }
    expect(')');
    return out;
  }

  const std::string& s_;
  const std::string& where_;
  size_t i_ = 0;
};

struct Descr {
  ScalarType dtype;
  bool swap;  // big-endian data on this little-endian host
};

Descr parse_descr(const std::string& d, const std::string& where) {
  auto unsupported = [&]() -> Descr {
    EMBER_FAIL(where, ": NumPy dtype '", d,
               "' has no ember dtype (ember reads bool, uint8, int8-64, float16/32/64)");
  };
  if (d.size() < 2) return unsupported();
  char order = d[0];
  std::string code = d.substr(std::string("<>|=").find(order) == std::string::npos ? 0 : 1);
  if (code.size() < 2) {
    if (code == "?") return {kBool, false};
    return unsupported();
  }
  char kind = code[0];
  std::string bytes = code.substr(1);
  std::optional<ScalarType> t;
  if (kind == 'b' && bytes == "1") t = kBool;
  if (kind == 'u' && bytes == "1") t = kUInt8;
  if (kind == 'i') t = bytes == "1" ? kInt8 : bytes == "2" ? kInt16 : bytes == "4" ? kInt32 : bytes == "8" ? kInt64 : t;
  if (kind == 'f') t = bytes == "2" ? kFloat16 : bytes == "4" ? kFloat32 : bytes == "8" ? kFloat64 : t;
  if (!t) return unsupported();
  return {*t, order == '>' && itemsize(*t) > 1};
}

// The permutation that reverses a tensor's dimensions: C order <-> Fortran order.
std::vector<int64_t> reversed_dims(int64_t dims) {
  std::vector<int64_t> out(static_cast<size_t>(dims));
  for (int64_t i = 0; i < dims; ++i) out[static_cast<size_t>(i)] = dims - 1 - i;
  return out;
}

void swap_bytes(char* p, size_t count, size_t width) {
  for (size_t i = 0; i < count; ++i, p += width) std::reverse(p, p + width);
}

}  // namespace

std::string encode(const Tensor& t, const char* who) {
  EMBER_CHECK(t.defined(), who, ": undefined tensor");
  const char* descr = descr_of(t.dtype(), who);
  Tensor h = t.detach().to(Device(kCPU));
  bool fortran = false;
  if (!h.is_contiguous()) {
    Tensor column_major = h.permute(reversed_dims(h.dim()));
    fortran = column_major.is_contiguous();
    h = fortran ? column_major : h.contiguous();  // column_major's memory order is t's Fortran order
  }
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                     ", 'shape': " + shape_tuple(t.sizes()) + ", }";
  size_t prefix = kMagicSize + 2 + 2;
  bool v1 = prefix + dict.size() + 1 <= 65535;
  if (!v1) prefix += 2;  // version 2.0: a 4-byte header length
  size_t header_len = dict.size() + 1;
  header_len += (kAlign - (prefix + header_len) % kAlign) % kAlign;
  std::string out(kMagic, kMagicSize);
  out.push_back(v1 ? 1 : 2);
  out.push_back(0);
  for (size_t i = 0; i < (v1 ? 2u : 4u); ++i) out.push_back(static_cast<char>((header_len >> (8 * i)) & 0xff));
  out += dict;
  out.append(header_len - dict.size() - 1, ' ');
  out.push_back('\n');
  size_t data = h.nbytes();
  size_t at = out.size();
  out.resize(at + data);
  if (data) std::memcpy(out.data() + at, h.data_ptr(), data);
  return out;
}

Tensor decode(const char* bytes, size_t size, const std::string& where) {
  auto truncated = [&](const std::string& what) -> Tensor {
    EMBER_FAIL(where, " is truncated: ", what, " (", size, " bytes in all)");
  };
  if (size < kMagicSize + 4) return truncated("too short for the .npy preamble");
  if (std::memcmp(bytes, kMagic, kMagicSize) != 0) EMBER_FAIL(where, " is not an .npy file (no \\x93NUMPY magic)");
  int major = static_cast<unsigned char>(bytes[6]);
  EMBER_CHECK(major >= 1 && major <= 3, where, ": .npy format version ", major, ".",
              int(static_cast<unsigned char>(bytes[7])), " is not supported (1.0-3.0 are)");
  size_t len_bytes = major == 1 ? 2 : 4;
  size_t prefix = kMagicSize + 2 + len_bytes;
  if (size < prefix) return truncated("too short for the header length");
  size_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i)
    header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[kMagicSize + 2 + i])) << (8 * i);
  if (header_len > size - prefix) return truncated("the header says " + std::to_string(header_len) + " bytes");
  Header h = HeaderParser(std::string(bytes + prefix, header_len), where).parse();
  Descr d = parse_descr(h.descr, where);

  size_t width = itemsize(d.dtype);
  size_t available = size - prefix - header_len;
  size_t count = 1;
  for (int64_t s : h.shape) {
    if (s != 0 && count > std::numeric_limits<size_t>::max() / width / static_cast<size_t>(s))
      EMBER_FAIL(where, ": shape ", shape_str(h.shape), " overflows");
    count *= static_cast<size_t>(s);
  }
  if (count * width > available)
    return truncated("shape " + shape_str(h.shape) + " of " + dtype_name(d.dtype) + " needs " +
                     std::to_string(count * width) + " bytes of data, " + std::to_string(available) + " follow the header");

  // Fortran order: the bytes are the reversed shape in C order; the result is its transpose.
  Shape stored = h.shape;
  if (h.fortran_order) std::reverse(stored.begin(), stored.end());
  Tensor t = empty(stored, TensorOptions().dtype(d.dtype));
  if (count) std::memcpy(t.data_ptr(), bytes + prefix + header_len, count * width);
  if (d.swap) swap_bytes(static_cast<char*>(t.data_ptr()), count, width);
  check_bool_bytes(t, where);
  if (!h.fortran_order) return t;
  return t.permute(reversed_dims(t.dim()));
}

}  // namespace ember::npy
