#pragma once
// The public API of ember: libtorch-shaped tensors, autograd, nn, optim and the compiler.
// Everything under include/ember/ is public and installed; nothing else is.
#include <ember/functional.h>
#include <ember/nn/nn.h>
#include <ember/half.h>
#include <ember/allocator.h>
#include <ember/autograd/engine.h>
#include <ember/autograd/node.h>
#include <ember/device.h>
#include <ember/generator.h>
#include <ember/grad_mode.h>
#include <ember/launch_counter.h>
#include <ember/tensor.h>
#include <ember/autograd/function.h>
#include <ember/autograd/gradcheck.h>
#include <ember/autograd/anomaly_mode.h>
#include <ember/serialize.h>
#include <ember/numpy_io.h>
#include <ember/repro.h>
#include <ember/dlpack.h>
#include <ember/compile.h>
