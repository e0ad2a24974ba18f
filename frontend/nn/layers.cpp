#include "ember/nn/layers.h"

#include <cmath>
#include <sstream>

#include "ember/functional.h"
#include "ember/nn/init.h"

namespace ember::nn {

LinearImpl::LinearImpl(const LinearOptions& o) : Module("Linear"), options(o) {
  EMBER_CHECK(o.in_features > 0 && o.out_features > 0, "Linear: in_features and out_features "
              "must be positive (got ", o.in_features, ", ", o.out_features, ")");
  weight = register_parameter("weight", empty({o.out_features, o.in_features}));
  if (o.with_bias) bias = register_parameter("bias", empty({o.out_features}));
  reset_parameters();
}

void LinearImpl::reset_parameters() {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    double bound = 1.0 / std::sqrt(static_cast<double>(options.in_features));
    init::uniform_(bias, -bound, bound);
  }
}

std::string LinearImpl::describe() const {
  std::ostringstream os;
  os << "Linear(in_features=" << options.in_features << ", out_features=" << options.out_features
     << ", bias=" << (options.with_bias ? "true" : "false") << ")";
  return os.str();
}

Tensor SequentialImpl::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& step : steps_) y = step(y);
  return y;
}

}  // namespace ember::nn
