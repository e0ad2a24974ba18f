#pragma once
#include <cstdint>
#include <optional>
#include <type_traits>

namespace ember {
class Tensor;

namespace indexing {
struct NoneT {};
struct EllipsisT {};
constexpr NoneT None{};
constexpr EllipsisT Ellipsis{};

// One bound of a Slice: an integer or None, so that libtorch's Slice(None, 2) and
// Slice(1, None, 2) port unchanged.
struct SliceBound {
  SliceBound(NoneT) {}
  SliceBound(std::nullopt_t) {}
  SliceBound(std::optional<int64_t> v) : value(v) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  SliceBound(T v) : value(static_cast<int64_t>(v)) {}
  std::optional<int64_t> value;
};

struct Slice {
  Slice(SliceBound start = None, SliceBound stop = None, SliceBound step = None)
      : start(start.value), stop(stop.value), step(step.value) {}
  std::optional<int64_t> start, stop, step;
};
}  // namespace indexing

}  // namespace ember
