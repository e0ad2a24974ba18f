#include "ember/nn/shape_layers.h"

#include <ostream>

namespace ember::nn {

void IdentityImpl::pretty_print(std::ostream& os) const { os << "torch::nn::Identity()"; }

void FlattenImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Flatten(start_dim=" << options.start_dim() << ", end_dim=" << options.end_dim() << ")";
}

// Replaces dim `dim` by `sizes` (one entry may be -1), as Tensor.unflatten.
Tensor UnflattenImpl::forward(const Tensor& input) {
  int64_t dim = options.dim() < 0 ? options.dim() + input.dim() : options.dim();
  EMBER_CHECK(dim >= 0 && dim < input.dim(), "Dimension out of range (expected to be in range of [",
              -input.dim(), ", ", input.dim() - 1, "], but got ", options.dim(), ")");
  const auto& sizes = options.sizes();
  EMBER_CHECK(!sizes.empty(), "unflatten: sizes must be non-empty");
  int64_t known = 1, inferred = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1) {
      EMBER_CHECK(inferred < 0, "unflatten: only one dimension can be inferred");
      inferred = static_cast<int64_t>(i);
    } else {
      known *= sizes[i];
    }
  }
  int64_t extent = input.sizes()[static_cast<size_t>(dim)];
  EMBER_CHECK(inferred >= 0 ? (known > 0 && extent % known == 0) : known == extent,
              "unflatten: Provided sizes ", shape_str(sizes), " don't multiply up to the size of dim ",
              options.dim(), " (", extent, ") in the input tensor");
  DimVector shape;
  for (int64_t d = 0; d < dim; ++d) shape.push_back(input.sizes()[static_cast<size_t>(d)]);
  for (auto s : sizes) shape.push_back(s == -1 ? extent / known : s);
  for (int64_t d = dim + 1; d < input.dim(); ++d) shape.push_back(input.sizes()[static_cast<size_t>(d)]);
  return input.reshape(shape);
}

void UnflattenImpl::pretty_print(std::ostream& os) const {
  os << "torch::nn::Unflatten(dim=" << options.dim() << ", unflattened_size=" << shape_str(options.sizes()) << ")";
}

}  // namespace ember::nn
