#pragma once

// Thread-locals read on every eager op. In a shared library the default TLS model calls
// __tls_get_addr on each access (4% of a small add); initial-exec is a plain %fs-relative load.
// It takes a few bytes of the static TLS surplus that glibc keeps even for dlopen.
#define EMBER_FAST_TLS [[gnu::tls_model("initial-exec")]] thread_local
