#pragma once
// Everything of ember::nn and ember::optim.
#include "frontend/nn/functional.h"
#include "frontend/nn/init.h"
#include "frontend/nn/layers.h"
#include "frontend/nn/loss.h"
#include "frontend/nn/module.h"
#include "frontend/optim/adam.h"
#include "frontend/optim/sgd.h"
