#include "compiler/codegen/cpu_tile_io.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu/strided_walk.h"
#include "kernels/op_registry.h"

namespace ember::jit {

OperandSource classify_operand(const Graph& g, int v, const std::vector<int>& slot_of, const std::vector<int>& input_of) {
  const Value& value = g.values[v];
  OperandSource o;
  o.dtype = value.dtype;
  if (slot_of[v] >= 0) {
    o.kind = OperandSource::Kind::Slot;
    o.index = slot_of[v];
  } else if (value.kind == ValueKind::Constant && value.sizes.empty()) {
    o.kind = OperandSource::Kind::Scalar;
    o.value = value.constant.item();
  } else {
    o.kind = value.sizes.empty() && value.device.is_cpu() ? OperandSource::Kind::HostScalar : OperandSource::Kind::External;
    o.index = input_of[v];
  }
  return o;
}

void print_step(std::ostream& os, OpId op, const std::vector<OperandSource>& in) {
  os << op_name(op) << "(";
  for (size_t k = 0; k < in.size(); ++k) {
    const OperandSource& o = in[k];
    os << (k ? ", " : "");
    if (o.kind == OperandSource::Kind::Scalar) os << o.value;
    else if (o.kind == OperandSource::Kind::HostScalar) os << "scalar(in" << o.index << ")";
    else if (o.kind == OperandSource::Kind::Slot) os << "slot" << o.index;
    else os << "in" << o.index;
  }
  os << ")";
}

char* thread_scratch(size_t bytes) {
  thread_local std::vector<char> buffer;
  if (buffer.size() < bytes) buffer.resize(bytes);
  return buffer.data();
}

void gather_broadcast(const Tensor& t, const Shape& shape, int64_t b, int64_t n, std::vector<char>& buf) {
  size_t item = t.element_size();
  buf.resize(static_cast<size_t>(n) * item);
  Shape strides(shape.size(), 0);
  int64_t off = static_cast<int64_t>(shape.size()) - t.dim();
  for (int64_t d = 0; d < t.dim(); ++d)
    strides[d + off] = t.sizes()[d] == 1 ? 0 : t.strides()[d] * static_cast<int64_t>(item);
  const char* base = static_cast<const char*>(t.data_ptr());
  char* dst = buf.data();
  int64_t st = strides.empty() ? 0 : strides.back();
  auto copy_run = [&]<class E>(E) {
    cpu::walk_range<1>(shape, {strides}, b, b + n, [&](const int64_t* o, int64_t len) {
      const char* src = base + o[0];
      auto* out = reinterpret_cast<E*>(dst);
      if (st == static_cast<int64_t>(sizeof(E))) {  // a dense run: one copy
        std::memcpy(out, src, static_cast<size_t>(len) * sizeof(E));
      } else if (st == 0) {  // broadcast along the run: repeat one element
        E v;
        std::memcpy(&v, src, sizeof(E));
        std::fill(out, out + len, v);
      } else {  // strided (a transposed operand): element by element, typed
        for (int64_t i = 0; i < len; ++i) std::memcpy(out + i, src + i * st, sizeof(E));
      }
      dst += len * static_cast<int64_t>(sizeof(E));
    });
  };
  // Elements move as raw bits of their width; memcpy of a constant size compiles to a move.
  switch (item) {
    case 1: copy_run(uint8_t{}); break;
    case 2: copy_run(uint16_t{}); break;
    case 4: copy_run(uint32_t{}); break;
    default:
      EMBER_CHECK(item == 8, "fused kernel: unexpected element size ", item);
      copy_run(uint64_t{});
  }
}

}  // namespace ember::jit
