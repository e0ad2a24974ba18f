#include "kernels/cpu/pointwise_loops.h"

namespace ember::cpu {
template bool run_pointwise_arity<2>(const PointwiseArgs&);
}
