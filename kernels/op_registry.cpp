#include "kernels/op_registry.h"

#include <array>
#include <ostream>

#include "kernels/tensor_alloc.h"

namespace ember {

namespace {
std::array<OpDef, static_cast<size_t>(OpId::NumOps)>& table() {
  static std::array<OpDef, static_cast<size_t>(OpId::NumOps)> t = [] {
    std::array<OpDef, static_cast<size_t>(OpId::NumOps)> defs;
#define EMBER_PW_DEF(N, ARITY, RULE, NUM, DOMAIN, ...)                          \
  defs[static_cast<size_t>(OpId::N)] = OpDef{OpId::N, #N, OpKind::Pointwise,   \
                                             DtypeRule::RULE, ARITY, 1};       \
  defs[static_cast<size_t>(OpId::N)].numerics = Numerics::NUM;                 \
  defs[static_cast<size_t>(OpId::N)].domain = Domain::DOMAIN;
    EMBER_POINTWISE_OPS(EMBER_PW_DEF)
#undef EMBER_PW_DEF
#define EMBER_ST_DEF(N, KIND, NOUT)                                              \
  defs[static_cast<size_t>(OpId::N)] =                                          \
      OpDef{OpId::N, #N, OpKind::KIND, DtypeRule::None, -1, NOUT};
    EMBER_STRUCTURED_OPS(EMBER_ST_DEF)
#undef EMBER_ST_DEF
    return defs;
  }();
  return t;
}

// Registration is called, not left to static initialisers, which a static link may drop.
void register_all_ops() {
  register_pointwise_ops();
  register_reduction_ops();
  register_view_ops();
  register_index_ops();
  register_sort_ops();
  register_matmul_ops();
  register_factory_ops();
  register_copy_ops();
  register_conv_ops();
  register_pool_ops();
}

// The table with every op family registered (once, on first use).
std::array<OpDef, static_cast<size_t>(OpId::NumOps)>& registered() {
  // A function-local static, not std::call_once: libstdc++'s call_once touches a thread-local
  // on every call, and this runs several times per eager op.
  static const bool registered_once = (register_all_ops(), true);
  (void)registered_once;
  return table();
}
}  // namespace

const OpDef& op_def(OpId id) {
  const OpDef& d = registered()[static_cast<size_t>(id)];
  EMBER_CHECK(d.meta || d.run || d.alias, "op ", d.name, " has no implementation registered");
  return d;
}

const char* op_name(OpId id) { return registered()[static_cast<size_t>(id)].name; }

OpId op_from_name(const std::string& name) {
  for (const auto& d : registered())
    if (name == d.name) return d.id;
  EMBER_FAIL("unknown op '", name, "'");
}

bool is_pointwise(OpId id) { return registered()[static_cast<size_t>(id)].kind == OpKind::Pointwise; }

void register_op(OpId id, MetaFn meta, RunFn run, AliasFn alias, bool data_dependent_shape) {
  auto& d = table()[static_cast<size_t>(id)];
  d.meta = meta;
  d.run = run;
  d.alias = alias;
  d.data_dependent_shape = data_dependent_shape;
}

std::vector<Tensor> run_op(OpId id, const std::vector<Tensor>& in, const Attrs& a) {
  const OpDef& d = op_def(id);
  if (d.alias) return d.alias(in, a);
  std::vector<Tensor> out;
  if (d.meta) {
    auto specs = d.meta(in, a);
    out.reserve(specs.size());
    for (const auto& spec : specs) out.push_back(empty_tensor(spec.sizes, spec.dtype, spec.device));
  }
  d.run(in, a, out);
  return out;
}

std::ostream& operator<<(std::ostream& os, const AttrValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, IntList>) os << shape_str(x);
        else if constexpr (std::is_same_v<T, bool>) os << (x ? "true" : "false");
        else os << x;
      },
      v);
  return os;
}

std::ostream& operator<<(std::ostream& os, const Attrs& a) {
  bool first = true;
  for (const auto& [k, v] : a.items()) {
    os << (first ? "" : ", ") << k << "=" << v;
    first = false;
  }
  return os;
}

}  // namespace ember
