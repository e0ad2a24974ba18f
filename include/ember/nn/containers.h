#pragma once
// The container modules: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict.
#include "ember/nn/any_module.h"
#include "ember/nn/module_dict.h"
#include "ember/nn/module_list.h"
#include "ember/nn/parameter_containers.h"
#include "ember/nn/sequential.h"
