#pragma once
// Which nn module is running: compiled graphs record, for every traced op, the path of the
// innermost module called (provenance: "model.blocks.1.attn"). Calls through
// ModuleHolder::operator() (`model(x)`) and AnyModule (Sequential) open a scope; code that
// calls `->forward()` directly is attributed to the module that called it.
namespace ember::nn {

class Module;

namespace detail {

class ModuleCallScope {
 public:
  explicit ModuleCallScope(const Module* m);
  ~ModuleCallScope();
  ModuleCallScope(const ModuleCallScope&) = delete;
  ModuleCallScope& operator=(const ModuleCallScope&) = delete;
};

}  // namespace detail
}  // namespace ember::nn
