#pragma once
// The public API of ember: libtorch-shaped tensors, autograd, nn, optim and the compiler.
#include "frontend/functional.h"
#include "frontend/nn/nn.h"
#include "kernels/device/half.h"
#include "runtime/allocator.h"
#include "runtime/autograd/engine.h"
#include "runtime/autograd/node.h"
#include "runtime/device.h"
#include "runtime/generator.h"
#include "runtime/grad_mode.h"
#include "runtime/tensor.h"
#include "frontend/autograd/function.h"
#include "frontend/autograd/gradcheck.h"
