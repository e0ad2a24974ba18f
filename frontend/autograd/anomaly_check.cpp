#include "frontend/autograd/anomaly_check.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <unordered_map>

#include "kernels/non_finite.h"
#include "runtime/call_site.h"

namespace ember::autograd {

namespace {

// Nodes carry no slot for it, so the sites live beside them, dropped once their node is gone.
struct ForwardSites {
  std::mutex mutex;
  std::unordered_map<const Node*, std::pair<std::weak_ptr<Node>, std::string>> sites;
  size_t sweep_at = 1024;

  void add(const std::shared_ptr<Node>& node, std::string site) {
    std::lock_guard<std::mutex> g(mutex);
    if (sites.size() >= sweep_at) {
      std::erase_if(sites, [](const auto& e) { return e.second.first.expired(); });
      sweep_at = std::max<size_t>(1024, 2 * sites.size());
    }
    sites[node.get()] = {node, std::move(site)};
  }
  std::string find(const Node* node) {
    std::lock_guard<std::mutex> g(mutex);
    auto it = sites.find(node);
    if (it == sites.end() || it->second.first.lock().get() != node) return "";
    return it->second.second;
  }
};

ForwardSites& forward_sites() {
  static ForwardSites s;
  return s;
}

std::string ordinal(size_t i) {
  const char* suffix = (i % 100 >= 11 && i % 100 <= 13) ? "th" : i % 10 == 1 ? "st" : i % 10 == 2 ? "nd" : i % 10 == 3 ? "rd" : "th";
  return std::to_string(i) + suffix;
}

thread_local bool t_in_backward_function = false;

}  // namespace

BackwardFunctionScope::BackwardFunctionScope() : prev_(t_in_backward_function) { t_in_backward_function = true; }
BackwardFunctionScope::~BackwardFunctionScope() { t_in_backward_function = prev_; }
bool BackwardFunctionScope::active() { return t_in_backward_function; }

void check_forward_anomaly(const char* op, const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs) {
  auto bad_out = first_non_finite(outputs, false);
  if (!bad_out) return;
  const Tensor& out = outputs[bad_out->position];
  if (auto bad_in = first_non_finite(inputs, false)) {
    EMBER_FAIL("anomaly detected: input ", bad_in->position, " of ", op, " (", tensor_kind(inputs[bad_in->position]),
               ") holds ", bad_in->where.describe(), ", and so does its output ", bad_out->position,
               ": the NaN came from outside the ops run in anomaly mode (a leaf, loaded data, or an op run before the "
               "mode was on)\n  called from:\n", caller_stack());
  }
  EMBER_FAIL("anomaly detected: ", op, " produced ", bad_out->where.describe(), " of output ", bad_out->position, " (",
             tensor_kind(out), ") from inputs without NaN\n  called from:\n", caller_stack());
}

void record_forward_site(const std::shared_ptr<Node>& node) { forward_sites().add(node, caller_stack()); }

void check_backward_anomaly(const Node& node, const std::vector<Tensor>& incoming, const std::vector<Tensor>& outgoing) {
  auto bad_out = first_non_finite(outgoing, true);
  if (!bad_out) return;
  std::string kind = std::isnan(bad_out->where.value) ? "nan" : "inf";
  std::string head = "Function '" + node.name() + "' returned " + kind + " values in its " +
                     ordinal(bad_out->position) + " output. (" + bad_out->where.describe() + " of " +
                     tensor_kind(outgoing[bad_out->position]) + ")";
  std::string cause;
  if (auto bad_in = first_non_finite(incoming, true))
    cause = "\n  the gradient it received for its output " + std::to_string(bad_in->position) + " (" +
            tensor_kind(incoming[bad_in->position]) + ") already held " + bad_in->where.describe();
  else
    cause = "\n  the gradients it received were finite: the forward op's inputs made it";
  std::string site = forward_sites().find(&node);
  EMBER_FAIL(head, cause, "\n  traceback of the forward call that created it:\n",
             site.empty() ? "    (not recorded: the node was made before anomaly mode was on)\n" : site);
}

}  // namespace ember::autograd
