#include "ember/launch_counter.h"
#include "runtime/fast_tls.h"

namespace ember {

namespace {
EMBER_FAST_TLS int64_t t_launches = 0;
}

int64_t kernel_launch_count() { return t_launches; }
void count_kernel_launch() { ++t_launches; }

}  // namespace ember
