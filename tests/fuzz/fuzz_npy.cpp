// The .npy reader (ember::load_npy and every .npz member): magic, versions, the header dict,
// dtypes, byte order, Fortran order.
#include "frontend/npy_format.h"
#include "fuzz_target.h"

EMBER_FUZZ_TARGET({
  ember::Tensor t = ember::npy::decode(reinterpret_cast<const char*>(data), size, "fuzz input");
  (void)t.to(ember::kFloat64).sum().item<double>();
})
