#pragma once
// libtorch's enum tokens (torch::kMean, torch::kReLU, torch::kFanIn, torch::kBilinear...): one
// token per name, shared by every option that accepts it, and option types that accept only the
// tokens libtorch allows there. So `.reduction(torch::kSum)` and EmbeddingBag's
// `.mode(torch::kSum)` both compile, and `.reduction(torch::kReLU)` does not.
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace ember {

enum class EnumName : int8_t {
  None, Mean, Sum, Max, BatchMean,
  Linear, Conv1D, Conv2D, Conv3D, ConvTranspose1D, ConvTranspose2D, ConvTranspose3D,
  Sigmoid, Tanh, ReLU, LeakyReLU, GELU,
  FanIn, FanOut,
  Nearest, NearestExact, Bilinear, Bicubic, Trilinear, Area,
  Zeros, Constant, Reflect, Replicate, Circular,
  Valid, Same,
  LSTM, GRU, RNN_TANH, RNN_RELU,
};

// "kMean", as libtorch's torch::enumtype::get_enum_name.
std::string_view enum_name(EnumName name);

template <EnumName N>
struct EnumToken {
  static constexpr EnumName name = N;
};

template <EnumName... Allowed>
constexpr bool enum_allows(EnumName n) {
  return ((n == Allowed) || ...);
}

template <EnumName... Allowed>
class EnumOption {
 public:
  template <EnumName N>
    requires((N == Allowed) || ...)
  constexpr EnumOption(EnumToken<N>) : name_(N) {}
  // A narrower option widens (Reduction -> KLDivLoss's reduction, which adds kBatchMean).
  template <EnumName... Other>
    requires(sizeof...(Other) < sizeof...(Allowed) && (enum_allows<Allowed...>(Other) && ...))
  constexpr EnumOption(EnumOption<Other...> o) : name_(o.name()) {}

  constexpr EnumName name() const { return name_; }
  template <EnumName N>
  constexpr bool operator==(EnumToken<N>) const { return name_ == N; }
  constexpr bool operator==(EnumName n) const { return name_ == n; }
  constexpr bool operator==(const EnumOption&) const = default;

 private:
  EnumName name_;
};

// A token or option that an option type accepts. Options objects construct from it in one
// step (`F::mse_loss(x, y, torch::kSum)` would otherwise need two user conversions).
template <class T, class Option>
concept EnumArg = std::is_convertible_v<T, Option>;

#define EMBER_ENUM_TOKEN(N) inline constexpr EnumToken<EnumName::N> k##N{};
EMBER_ENUM_TOKEN(None)
EMBER_ENUM_TOKEN(Mean)
EMBER_ENUM_TOKEN(Sum)
EMBER_ENUM_TOKEN(Max)
EMBER_ENUM_TOKEN(BatchMean)
EMBER_ENUM_TOKEN(Linear)
EMBER_ENUM_TOKEN(Conv1D)
EMBER_ENUM_TOKEN(Conv2D)
EMBER_ENUM_TOKEN(Conv3D)
EMBER_ENUM_TOKEN(ConvTranspose1D)
EMBER_ENUM_TOKEN(ConvTranspose2D)
EMBER_ENUM_TOKEN(ConvTranspose3D)
EMBER_ENUM_TOKEN(Sigmoid)
EMBER_ENUM_TOKEN(Tanh)
EMBER_ENUM_TOKEN(ReLU)
EMBER_ENUM_TOKEN(LeakyReLU)
EMBER_ENUM_TOKEN(GELU)
EMBER_ENUM_TOKEN(FanIn)
EMBER_ENUM_TOKEN(FanOut)
EMBER_ENUM_TOKEN(Nearest)
EMBER_ENUM_TOKEN(NearestExact)
EMBER_ENUM_TOKEN(Bilinear)
EMBER_ENUM_TOKEN(Bicubic)
EMBER_ENUM_TOKEN(Trilinear)
EMBER_ENUM_TOKEN(Area)
EMBER_ENUM_TOKEN(Zeros)
EMBER_ENUM_TOKEN(Constant)
EMBER_ENUM_TOKEN(Reflect)
EMBER_ENUM_TOKEN(Replicate)
EMBER_ENUM_TOKEN(Circular)
EMBER_ENUM_TOKEN(Valid)
EMBER_ENUM_TOKEN(Same)
EMBER_ENUM_TOKEN(LSTM)
EMBER_ENUM_TOKEN(GRU)
EMBER_ENUM_TOKEN(RNN_TANH)
EMBER_ENUM_TOKEN(RNN_RELU)
#undef EMBER_ENUM_TOKEN

}  // namespace ember
