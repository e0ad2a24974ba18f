#include "ember/nn/module_call.h"

#include <vector>

#include "ember/nn/module.h"
#include "frontend/nn/module_path.h"

namespace ember::nn::detail {

namespace {

struct Frame {
  const Module* module;
  std::string path;  // resolved on first use (only while tracing)
  bool resolved = false;
};

std::vector<Frame>& frames() {
  thread_local std::vector<Frame> stack;
  return stack;
}

std::string resolve(std::vector<Frame>& stack, size_t k) {
  Frame& f = stack[k];
  if (f.resolved) return f.path;
  f.resolved = true;
  f.path = "model";
  for (size_t j = k; j-- > 0;) {
    if (stack[j].module == f.module) {  // the same module again (recursion)
      f.path = resolve(stack, j);
      return f.path;
    }
    for (const auto& item : stack[j].module->named_modules("", false)) {
      if (item.value().get() != f.module || item.key().empty()) continue;
      f.path = resolve(stack, j) + "." + item.key();
      return f.path;
    }
  }
  if (k > 0) f.path = f.module->name();  // called from a module that does not hold it
  return f.path;
}

}  // namespace

ModuleCallScope::ModuleCallScope(const Module* m) { frames().push_back({m, {}, false}); }
ModuleCallScope::~ModuleCallScope() { frames().pop_back(); }

std::string current_module_path() {
  std::vector<Frame>& stack = frames();
  return stack.empty() ? "" : resolve(stack, stack.size() - 1);
}

}  // namespace ember::nn::detail
