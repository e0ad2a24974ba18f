#pragma once
#include <vector>

#include "kernels/attrs.h"
#include "kernels/op_list.h"
#include "ember/tensor.h"

namespace ember {

// Shape, dtype and device of an op output that is computed (not a view).
struct OutSpec {
  Shape sizes;
  ScalarType dtype;
  Device device;
};

using MetaFn = std::vector<OutSpec> (*)(const std::vector<Tensor>& in, const Attrs& a);
using RunFn = void (*)(const std::vector<Tensor>& in, const Attrs& a, std::vector<Tensor>& out);
using AliasFn = std::vector<Tensor> (*)(const std::vector<Tensor>& in, const Attrs& a);

// Everything the runtime knows about an op: kind and dtype rule from op_list.h, a meta
// function (output shapes/dtypes, reading only metadata, so it works on traced tensors) and
// a kernel launcher writing into given outputs; or, for views, an alias function that
// builds the view (also on traced tensors). Ops with data-dependent output shapes have
// only `run`, which allocates.
struct OpDef {
  OpId id = OpId::NumOps;
  const char* name = "";
  OpKind kind = OpKind::Pointwise;
  DtypeRule rule = DtypeRule::None;
  int arity = -1;  // -1: variadic
  int num_outputs = 1;
  MetaFn meta = nullptr;
  RunFn run = nullptr;
  AliasFn alias = nullptr;
  bool data_dependent_shape = false;
  Numerics numerics = Numerics::Exact;  // pointwise ops: see ember/pointwise_ops.h
  Domain domain = Domain::Any;          // pointwise ops: see ember/pointwise_ops.h
};

const OpDef& op_def(OpId id);
const char* op_name(OpId id);
OpId op_from_name(const std::string& name);  // Error for unknown names
bool is_pointwise(OpId id);

// Registration: each op family in kernels/ops/*.cpp has a register_*_ops() function, called
// once by op_registry.cpp on first use of the table.
void register_pointwise_ops();
void register_reduction_ops();
void register_view_ops();
void register_index_ops();
void register_sort_ops();  // kernels/ops/sort_ops.cpp
void register_matmul_ops();
void register_factory_ops();
void register_copy_ops();
void register_conv_ops();  // kernels/ops/conv_ops.cpp
void register_pool_ops();  // kernels/ops/pool_ops.cpp
void register_op(OpId id, MetaFn meta, RunFn run, AliasFn alias = nullptr,
                 bool data_dependent_shape = false);

// Runs a computing op eagerly: allocates outputs from `meta` and launches `run`.
std::vector<Tensor> run_op(OpId id, const std::vector<Tensor>& in, const Attrs& a);

}  // namespace ember
