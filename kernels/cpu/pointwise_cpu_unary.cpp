#include "kernels/cpu/pointwise_loops.h"

namespace ember::cpu {
template bool run_pointwise_arity<1>(const PointwiseArgs&);
}
