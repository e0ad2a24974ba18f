#pragma once
// What the CPU fused kernels share: where a node's operands come from, per-thread scratch for
// their tiles, and the copy of a range of a broadcast or strided operand into a dense tile.
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "compiler/graph.h"
#include "ember/tensor.h"

namespace ember::jit {

// Where a fused node's operand comes from.
struct OperandSource {
  // Scalar: a constant; HostScalar: a 0-dim CPU tensor read once per call (both by value);
  // Slot: a value computed in the group; External: a group input read per element.
  enum class Kind : uint8_t { Scalar, HostScalar, Slot, External } kind = Kind::Scalar;
  int index = 0;  // slot or group input number
  Scalar value;
  ScalarType dtype = kFloat32;
  bool by_value() const { return kind == Kind::Scalar || kind == Kind::HostScalar; }
};

// Classifies graph value `v`: slot_of / input_of map value ids to slot and group input numbers
// (-1 where it is not one).
OperandSource classify_operand(const Graph& g, int v, const std::vector<int>& slot_of, const std::vector<int>& input_of);

// "op(slot0, in1, 2.5, scalar(in2)": how the kernels' source() lists a step.
void print_step(std::ostream& os, OpId op, const std::vector<OperandSource>& in);

// Per-thread scratch kept across calls and grown only: a fresh allocation above glibc's
// mmap threshold would be mapped and page-faulted on every call of a long group.
char* thread_scratch(size_t bytes);

// Copies elements [b, b + n) of `t`, broadcast to `shape` and counted in row-major order of
// `shape`, into `buf` (resized to n elements of t's dtype).
void gather_broadcast(const Tensor& t, const Shape& shape, int64_t b, int64_t n, std::vector<char>& buf);

}  // namespace ember::jit
