#include "ember/enum.h"

namespace ember {

std::string_view enum_name(EnumName name) {
  switch (name) {
#define EMBER_ENUM_CASE(N) \
  case EnumName::N: return "k" #N;
    EMBER_ENUM_CASE(None) EMBER_ENUM_CASE(Mean) EMBER_ENUM_CASE(Sum) EMBER_ENUM_CASE(Max)
    EMBER_ENUM_CASE(BatchMean) EMBER_ENUM_CASE(Linear) EMBER_ENUM_CASE(Conv1D) EMBER_ENUM_CASE(Conv2D)
    EMBER_ENUM_CASE(Conv3D) EMBER_ENUM_CASE(ConvTranspose1D) EMBER_ENUM_CASE(ConvTranspose2D)
    EMBER_ENUM_CASE(ConvTranspose3D) EMBER_ENUM_CASE(Sigmoid) EMBER_ENUM_CASE(Tanh) EMBER_ENUM_CASE(ReLU)
    EMBER_ENUM_CASE(LeakyReLU) EMBER_ENUM_CASE(GELU) EMBER_ENUM_CASE(FanIn) EMBER_ENUM_CASE(FanOut)
    EMBER_ENUM_CASE(Nearest) EMBER_ENUM_CASE(NearestExact) EMBER_ENUM_CASE(Bilinear)
    EMBER_ENUM_CASE(Bicubic) EMBER_ENUM_CASE(Trilinear) EMBER_ENUM_CASE(Area) EMBER_ENUM_CASE(Zeros)
    EMBER_ENUM_CASE(Constant) EMBER_ENUM_CASE(Reflect) EMBER_ENUM_CASE(Replicate)
    EMBER_ENUM_CASE(Circular) EMBER_ENUM_CASE(Valid) EMBER_ENUM_CASE(Same) EMBER_ENUM_CASE(LSTM)
    EMBER_ENUM_CASE(GRU) EMBER_ENUM_CASE(RNN_TANH) EMBER_ENUM_CASE(RNN_RELU)
#undef EMBER_ENUM_CASE
  }
  return "k?";
}

}  // namespace ember
