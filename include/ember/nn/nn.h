#pragma once
// Everything of ember::nn and ember::optim.
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "ember/nn/layers.h"
#include "ember/nn/loss.h"
#include "ember/nn/module.h"
#include "ember/optim/adam.h"
#include "ember/optim/sgd.h"
