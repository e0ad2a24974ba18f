#include "kernels/cpu/dnnl_context.h"

#include "kernels/tensor_alloc.h"

namespace ember::cpu {

dnnl::engine& dnnl_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& dnnl_stream() {
  thread_local dnnl::stream s(dnnl_engine());
  return s;
}

dnnl::primitive_attr cached_primitive_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void execute_primitive(const dnnl::primitive& prim, std::unordered_map<int, dnnl::memory>& args) {
  const dnnl_memory_desc_t* md = dnnl_primitive_desc_query_md(prim.get_primitive_desc(), dnnl_query_scratchpad_md, 0);
  size_t bytes = md ? dnnl_memory_desc_get_size(md) : 0;
  Tensor scratch;
  if (bytes > 0) {
    scratch = empty_tensor({static_cast<int64_t>(bytes)}, kUInt8, Device(kCPU));
    args[DNNL_ARG_SCRATCHPAD] = dnnl::memory(dnnl::memory::desc(*md), dnnl_engine(), scratch.data_ptr());
  }
  prim.execute(dnnl_stream(), args);
  dnnl_stream().wait();
}

}  // namespace ember::cpu
