#pragma once
// What the CPU fused kernels share: per-thread scratch for their tiles, and the copy of a
// range of a broadcast or strided operand into a dense tile.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ember/tensor.h"

namespace ember::jit {

// Per-thread scratch kept across calls and grown only: a fresh allocation above glibc's
// mmap threshold would be mapped and page-faulted on every call of a long group.
char* thread_scratch(size_t bytes);

// Copies elements [b, b + n) of `t`, broadcast to `shape` and counted in row-major order of
// `shape`, into `buf` (resized to n elements of t's dtype).
void gather_broadcast(const Tensor& t, const Shape& shape, int64_t b, int64_t n, std::vector<char>& buf);

}  // namespace ember::jit
