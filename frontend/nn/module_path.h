#pragma once
// The path of the innermost module running on this thread (ember/nn/module_call.h):
// "model" for the outermost one called, "model.blocks.1.attn" for a descendant, found from
// the nearest enclosing module that holds it; "" outside any module.
#include <string>

namespace ember::nn::detail {

std::string current_module_path();

}  // namespace ember::nn::detail
