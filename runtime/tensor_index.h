#pragma once
#include <cstdint>
#include <optional>

namespace ember {
class Tensor;

namespace indexing {
struct NoneT {};
struct EllipsisT {};
constexpr NoneT None{};
constexpr EllipsisT Ellipsis{};

struct Slice {
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : start(start), stop(stop), step(step) {}
  std::optional<int64_t> start, stop, step;
};
}  // namespace indexing

}  // namespace ember
