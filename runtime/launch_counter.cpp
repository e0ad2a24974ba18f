#include "ember/launch_counter.h"

namespace ember {

namespace {
thread_local int64_t t_launches = 0;
}

int64_t kernel_launch_count() { return t_launches; }
void count_kernel_launch() { ++t_launches; }

}  // namespace ember
