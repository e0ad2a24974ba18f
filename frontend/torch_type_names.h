#pragma once
// libtorch's names of the dtypes in its "... not implemented for 'Long'" errors.
#include "ember/dtype.h"

namespace ember {

inline const char* torch_type_name(ScalarType t) {
  switch (t) {
    case kFloat32: return "Float";
    case kFloat64: return "Double";
    case kFloat16: return "Half";
    case kBFloat16: return "BFloat16";
    case kInt64: return "Long";
    case kInt32: return "Int";
    case kInt16: return "Short";
    case kInt8: return "Char";
    case kUInt8: return "Byte";
    case kBool: return "Bool";
    default: return dtype_name(t);
  }
}

}  // namespace ember
