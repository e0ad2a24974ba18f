# Instrumented build trees (scripts/run_sanitizers.sh). EMBER_SANITIZE instruments every target:
# "address,undefined" (any report stops the process: -fno-sanitize-recover) or "thread".
# EMBER_FUZZ adds libFuzzer's coverage instrumentation to every target and builds the
# harnesses of tests/fuzz (clang only).
set(EMBER_SANITIZE "" CACHE STRING "Sanitizers for all targets: address,undefined or thread (empty: none)")
option(EMBER_FUZZ "Build the libFuzzer harnesses (clang)" OFF)
if(EMBER_SANITIZE OR EMBER_FUZZ)
  if(EMBER_WITH_CUDA)
    # nvcc-built objects are not instrumented and no CUDA code can run without a GPU.
    message(FATAL_ERROR "EMBER_SANITIZE and EMBER_FUZZ need -DEMBER_CUDA=OFF")
  endif()
  set(flags -fno-omit-frame-pointer)
  if(EMBER_SANITIZE)
    list(APPEND flags -fsanitize=${EMBER_SANITIZE})
    add_link_options(-fsanitize=${EMBER_SANITIZE})
  endif()
  if(EMBER_SANITIZE MATCHES "address|undefined")
    list(APPEND flags -fno-sanitize-recover=all)
  endif()
  if(EMBER_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "EMBER_FUZZ needs clang (CXX=clang++): libFuzzer is clang's")
    endif()
    list(APPEND flags -fsanitize=fuzzer-no-link)
  endif()
  add_compile_options(${flags})
  message(STATUS "ember: instrumented build (${flags})")
endif()
