# libtorch for the side-by-side comparisons (ember-bench's libtorch column, the gradient
# parity tests). Never a dependency of the library itself. Sets EMBER_WITH_TORCH.
set(EMBER_TORCH "AUTO" CACHE STRING "Build the libtorch comparisons: AUTO, ON or OFF")
set_property(CACHE EMBER_TORCH PROPERTY STRINGS AUTO ON OFF)
set(EMBER_WITH_TORCH OFF)
if(NOT EMBER_TORCH STREQUAL "OFF")
  # Debian's libtorch-dev installs its config under the multiarch cmake directory.
  find_package(Torch QUIET HINTS /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/cmake/Torch)
  if(Torch_FOUND)
    set(EMBER_WITH_TORCH ON)
    message(STATUS "ember: libtorch ${Torch_VERSION} found for the comparisons")
  elseif(EMBER_TORCH STREQUAL "ON")
    message(FATAL_ERROR "EMBER_TORCH=ON but libtorch was not found (apt-get install libtorch-dev)")
  else()
    message(STATUS "ember: no libtorch, so no libtorch comparisons (apt-get install libtorch-dev)")
  endif()
endif()

# A static library of files that include torch. Including torch costs ~35 s per file, so
# only these files do; libtorch 1.13's headers predate C++20, so they build as C++17 and
# talk to ember code through plain C++ interface headers.
function(ember_add_torch_library name)
  add_library(${name} STATIC ${ARGN})
  set_target_properties(${name} PROPERTIES CXX_STANDARD 17)
  target_link_libraries(${name} PRIVATE ${TORCH_LIBRARIES})
  separate_arguments(torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  target_compile_options(${name} PRIVATE ${torch_flags})
endfunction()
