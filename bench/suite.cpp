#include "suite.h"

#include <regex>

#include "ember/error.h"
#include "workloads.h"

namespace ember::bench {

namespace {

// Chains of 1, 2, 4 and 8 ops (the 4-op chain is the one the CPU target names), and
// the row layers the compiler fuses into one pass per row block.
const std::vector<std::string> kPointwise = {
    "chain:add",
    "chain:add,mul",
    "chain:add,mul,clamp,pow",
    "chain:add,mul,clamp,pow,exp,sigmoid,sub,tanh",
    "chain_broadcast:add,mul,clamp,pow",
    "loss",
    "softmax:1024",
    "layer_norm:1024",
};
const std::vector<std::string> kNetworks = {
    "two_layer_net", "mlp", "dynamic_net:1", "dynamic_net:2", "dynamic_net:3",
    "regression", "transformer_mlp", "transformer_mlp_train",
    "cnn", "conv2d:16x56", "conv2d:64x28", "conv2d:128x14",
    "gpt", "attention:128", "attention:256", "attention:512",
};

constexpr int64_t kMaxSize = int64_t{1} << 30;

int64_t parse_one_size(const std::string& item) {
  auto bad = [&](const std::string& why) -> int64_t {
    EMBER_FAIL("bad size '", item, "' in --sizes: ", why, " (use element counts or powers like 2^20, comma-separated)");
  };
  if (item.empty()) return bad("empty item");
  size_t caret = item.find('^');
  std::string digits = caret == std::string::npos ? item : item.substr(caret + 1);
  if (caret != std::string::npos && item.substr(0, caret) != "2") return bad("only powers of 2 are written with ^");
  if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos)
    return bad("not a positive integer");
  int64_t v = std::stoll(digits);
  if (caret != std::string::npos) {
    if (v > 30) return bad("at most 2^30");
    v = int64_t{1} << v;
  }
  if (v < 1) return bad("must be at least 1");
  if (v > kMaxSize) return bad("at most 2^30 elements");
  return v;
}

}  // namespace

std::vector<int64_t> parse_sizes(const std::string& text) {
  std::vector<int64_t> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    out.push_back(parse_one_size(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::vector<int64_t> default_sizes(bool cuda) {
  // 2 CPU cores cannot sweep to 2^26 in a tractable run; a GPU can.
  std::vector<int64_t> exps = cuda ? std::vector<int64_t>{10, 14, 18, 22, 24, 26} : std::vector<int64_t>{10, 14, 18, 22, 24};
  std::vector<int64_t> out;
  for (int64_t e : exps) out.push_back(int64_t{1} << e);
  return out;
}

bool is_pointwise_workload(const std::string& spec) {
  std::string kind = spec.substr(0, spec.find(':'));
  return kind == "chain" || kind == "chain_broadcast" || kind == "loss" || kind == "softmax" || kind == "layer_norm";
}

int64_t default_rows(const std::string& spec) {
  std::string kind = spec.substr(0, spec.find(':'));
  if (kind == "regression") return 100;
  if (kind == "transformer_mlp" || kind == "transformer_mlp_train") return 512;
  if (kind == "conv2d") return 8;
  return 64;
}

std::string size_text(int64_t n) {
  if (n > 0 && (n & (n - 1)) == 0) {
    int e = 0;
    while ((int64_t{1} << e) != n) ++e;
    return "2^" + std::to_string(e);
  }
  return std::to_string(n);
}

std::vector<BenchCase> make_suite(const SuiteOptions& o) {
  std::vector<std::string> names = o.workloads;
  std::vector<int64_t> sizes = o.sizes;
  if (names.empty()) {
    if (o.quick) {
      names = {"chain:add,mul,clamp,pow", "chain_broadcast:add,mul", "loss", "two_layer_net", "dynamic_net:1"};
    } else {
      names = kPointwise;
      names.insert(names.end(), kNetworks.begin(), kNetworks.end());
    }
  } else {
    // Named workloads are checked before anything runs, so a typo fails at once.
    for (const auto& n : names) {
      WorkloadOptions wo;
      wo.size = is_pointwise_workload(n) ? 16 : 2;
      make_workload(n, wo);
    }
  }
  if (sizes.empty()) sizes = o.quick ? std::vector<int64_t>{int64_t{1} << 10, int64_t{1} << 14} : default_sizes(o.cuda);

  std::regex re;
  if (!o.filter.empty()) {
    try {
      re = std::regex(o.filter, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      EMBER_FAIL("bad --filter regex '", o.filter, "': ", e.what());
    }
  }
  std::vector<BenchCase> cases;
  for (const auto& n : names) {
    if (!o.filter.empty() && !std::regex_search(n, re)) continue;
    if (is_pointwise_workload(n)) {
      for (int64_t s : sizes) cases.push_back({n, s, true});
    } else {
      cases.push_back({n, o.rows > 0 ? o.rows : default_rows(n), false});
    }
  }
  EMBER_CHECK(!cases.empty(), "no workload matches --filter '", o.filter, "'");
  return cases;
}

}  // namespace ember::bench
