#include "frontend/compile/artifact_format.h"

#include <sstream>

namespace ember::jit {

nlohmann::json tensor_meta_json(IntArrayRef sizes, IntArrayRef strides, ScalarType dtype, Device device) {
  std::ostringstream dev;
  dev << device;
  return {{"sizes", Shape(sizes)}, {"strides", Shape(strides)}, {"dtype", dtype_name(dtype)}, {"device", dev.str()}};
}

TensorMetaRecord TensorMetaRecord::from_json(const nlohmann::json& j) {
  TensorMetaRecord r;
  r.sizes = j.at("sizes").get<Shape>();
  r.strides = j.at("strides").get<Shape>();
  r.dtype = dtype_from_name(j.at("dtype").get<std::string>());
  r.device = Device(j.at("device").get<std::string>());
  EMBER_CHECK(r.sizes.size() == r.strides.size(), "sizes ", shape_str(r.sizes), " and strides ", shape_str(r.strides),
              " differ in rank");
  for (int64_t s : r.sizes) EMBER_CHECK(s >= 0, "negative size in ", shape_str(r.sizes));
  return r;
}

std::string TensorMetaRecord::mismatch(const Tensor& t) const {
  std::ostringstream os;
  if (t.sizes() != sizes) os << "shape " << shape_str(t.sizes()) << ", expected " << shape_str(sizes);
  else if (t.dtype() != dtype) os << "dtype " << dtype_name(t.dtype()) << ", expected " << dtype_name(dtype);
  else if (t.device() != device) os << "device " << t.device() << ", expected " << device;
  else if (t.strides() != strides) os << "strides " << shape_str(t.strides()) << ", expected " << shape_str(strides);
  return os.str();
}

std::string TensorMetaRecord::str() const {
  std::ostringstream os;
  os << dtype_name(dtype) << " " << shape_str(sizes) << " on " << device;
  return os.str();
}

}  // namespace ember::jit
