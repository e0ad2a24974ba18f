// Faults survived with nothing lost: a failing in-place op leaves its target's bytes, version
// and history as they were; a failing optimizer step changes no parameter or state; a CPU
// memory limit is an error the process recovers from; a save killed midway leaves the old file;
// a fused kernel that cannot be built runs as its ops.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "compiler/fused_kernel.h"
#include "ember/serialize.h"
#include "frontend/compile/compile_internals.h"
#include "test_util.h"

using namespace ember;
using namespace ember::testing;

namespace {

struct InPlaceCase {
  const char* what;
  std::function<void(const Tensor&)> op;  // on a float32 [2, 4] target
};

std::vector<InPlaceCase> bad_in_place_ops() {
  return {
      {"add_ with a shape that does not broadcast", [](const Tensor& x) { x.add_(randn({3})); }},
      {"mul_ by a shape that would grow the target", [](const Tensor& x) { x.mul_(randn({3, 2, 4})); }},
      {"copy_ from a shape that does not broadcast", [](const Tensor& x) { x.copy_(randn({5})); }},
      {"masked_fill_ with a mask of another shape", [](const Tensor& x) { x.masked_fill_(ones({3, 3}, kBool), 1.0); }},
      {"index_put_ past the end", [](const Tensor& x) { x.index_put_({tensor({0, 7})}, 1.0); }},
      {"index_add_ before the start", [](const Tensor& x) { x.index_add_(0, tensor({-9}), randn({1, 4})); }},
      {"index_add_ from a source of another shape", [](const Tensor& x) { x.index_add_(0, tensor({1}), randn({1, 5})); }},
      {"scatter_ past the end", [](const Tensor& x) { x.scatter_(1, tensor({{0, 9}}), randn({1, 2})); }},
      {"scatter_add_ with a floating index", [](const Tensor& x) { x.scatter_add_(1, tensor({{0.0f, 1.0f}}), randn({1, 2})); }},
      {"add_ into an expanded view", [](const Tensor& x) { x.select(0, 0).unsqueeze(0).expand({3, 4}).add_(1); }},
      {"add_ from another device", [](const Tensor& x) {
         if (!cuda::is_available()) throw Error("skipped: no CUDA device");
         x.add_(randn({2, 4}, TensorOptions().device(Device(kCUDA, 0))));
       }},
  };
}

struct CpuLimit {
  explicit CpuLimit(int64_t bytes) { set_cpu_memory_limit(bytes); }
  ~CpuLimit() { set_cpu_memory_limit(0); }
};

}  // namespace

TEST(Faults, AFailingInPlaceOpLeavesItsTargetAndVersionAlone) {
  for (const auto& c : bad_in_place_ops()) {
    Tensor x = randn({2, 4});
    Tensor before = x.clone();
    uint32_t version = x._version();
    EXPECT_THROW(c.op(x), Error) << c.what;
    EXPECT_TRUE(bitwise_equal(x, before)) << c.what;
    EXPECT_EQ(x._version(), version) << c.what;
  }
  Tensor counts = zeros({2, 4}, kInt64);
  EXPECT_EMBER_ERROR(counts.mul_(1.5), "can't be cast to the desired output type");
  EXPECT_TRUE(bitwise_equal(counts, zeros({2, 4}, kInt64)));
}

TEST(Faults, AFailingInPlaceOpLeavesTheAutogradGraphAlone) {
  for (const auto& c : bad_in_place_ops()) {
    Tensor w = randn({2, 4}, TensorOptions().requires_grad(true));
    Tensor x = w * 2;
    std::string grad_fn = x.grad_fn()->name();
    EXPECT_THROW(c.op(x), Error) << c.what;
    EXPECT_EQ(x.grad_fn()->name(), grad_fn) << c.what;
    (x * x).sum().backward();
    EXPECT_TRUE(close(w.grad(), w.detach() * 8, 1e-6, 1e-6)) << c.what;  // d(4 w^2)/dw
  }
}

TEST(Faults, AFailingOptimizerStepChangesNoParameterOrState) {
  auto check = [](const char* name, auto make) {
    Tensor a = randn({3, 2}, TensorOptions().requires_grad(true)), b = randn({4}, TensorOptions().requires_grad(true));
    auto opt = make(std::vector<optim::OptimizerParamGroup>{optim::OptimizerParamGroup({a}), optim::OptimizerParamGroup({b})});
    (a.sum() + b.sum()).backward();
    opt.step();  // the state exists now
    Tensor a0 = a.detach().clone(), b0 = b.detach().clone();
    size_t states = opt.state().size();
    a.mutable_grad() = ones({3, 2});
    b.mutable_grad() = ones({5});  // the second group's gradient has the wrong shape
    EXPECT_EMBER_ERROR(opt.step(), "gradient of parameter 0 has shape [5]");
    EXPECT_TRUE(bitwise_equal(a.detach(), a0)) << name;
    EXPECT_TRUE(bitwise_equal(b.detach(), b0)) << name;
    EXPECT_EQ(opt.state().size(), states) << name;
    b.mutable_grad() = ones({4});
    opt.step();  // and it works again
    EXPECT_FALSE(bitwise_equal(a.detach(), a0)) << name;
  };
  check("SGD", [](auto groups) { return optim::SGD(groups, optim::SGDOptions(0.1).momentum(0.9)); });
  check("Adam", [](auto groups) { return optim::Adam(groups, optim::AdamOptions(0.1)); });
  check("AdamW", [](auto groups) { return optim::AdamW(groups, optim::AdamWOptions(0.1)); });
  check("Adagrad", [](auto groups) { return optim::Adagrad(groups, optim::AdagradOptions(0.1)); });
  check("RMSprop", [](auto groups) { return optim::RMSprop(groups, optim::RMSpropOptions(0.1)); });
}

TEST(Faults, TrainingSurvivesHittingTheCpuMemoryLimit) {
  manual_seed(5);
  nn::Linear model(16, 4);
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.05));
  Tensor x = randn({64, 16}), y = randn({64, 4});
  auto step = [&] {
    opt.zero_grad();
    Tensor loss = nn::functional::mse_loss(model(x), y);
    loss.backward();
    opt.step();
    return loss.item<double>();
  };
  double first = step();
  {
    CpuLimit limit(memory_stats(Device(kCPU)).reserved_bytes + (64 << 20));
    EXPECT_EQ(cpu_memory_limit(), memory_stats(Device(kCPU)).reserved_bytes + (64 << 20));
    EXPECT_EMBER_ERROR(empty({int64_t{1} << 27}), "CPU out of memory: tried to allocate 512 MiB");
    EXPECT_EMBER_ERROR(empty({int64_t{1} << 27}), "the CPU memory limit is");
    for (int i = 0; i < 5; ++i) step();  // under the limit, training goes on
  }
  Tensor big = empty({int64_t{1} << 27});  // no limit: it fits
  big.fill_(1);
  double last = step();
  EXPECT_LT(last, first);
  EXPECT_EMBER_ERROR(set_cpu_memory_limit(-1), "is negative");
}

TEST(Faults, ASaveKilledMidwayLeavesTheOldFileWhole) {
  std::string path = temp_file("ember_faults_killed_save.safetensors");
  Tensor old_value = full({1 << 20}, 1.0f);
  save_tensors({{"w", old_value}}, path);
  for (int attempt = 0; attempt < 5; ++attempt) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {  // writes new versions until killed
      Tensor v = full({1 << 22}, 2.0f);
      for (;;) save_tensors({{"w", v}}, path);
    }
    usleep(20000 + 15000 * attempt);
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    NamedTensorList got = load_tensors(path);  // whole: the old version or a complete new one
    ASSERT_EQ(got.size(), 1u);
    const Tensor& w = got[0].second;
    EXPECT_TRUE(w.equal(old_value) || w.equal(full({1 << 22}, 2.0f))) << "attempt " << attempt;
  }
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    if (e.path().filename().string().starts_with("ember_faults_killed_save.safetensors.tmp."))
      std::filesystem::remove(e.path());  // what the killed writers left beside it
  std::filesystem::remove(path);
}

TEST(Faults, AKernelThatCannotBeBuiltRunsItsOpsUnfused) {
  auto fn = [](const Tensor& a, const Tensor& b) { return ((a * b).exp() + a).tanh() - b; };
  Tensor a = randn({64, 33}), b = randn({64, 33});
  Tensor want = compile(fn)(a, b);
  struct Injected {
    Injected() { jit::inject_codegen_failures(true); }
    ~Injected() { jit::inject_codegen_failures(false); }
  } injected;
  auto f = compile(fn, {.name = "injected"});
  ::testing::internal::CaptureStderr();
  Tensor got = f(a, b);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(bitwise_equal(got, want));  // the eager kernels give the fused kernel's bits
  EXPECT_TRUE(jit::forward_program(f).kernels().empty());
  EXPECT_NE(err.find("injected_forward: cannot build the fused kernel"), std::string::npos) << err;
  EXPECT_NE(err.find("injected code generation failure); its 5 ops run unfused"), std::string::npos) << err;
  auto strict = compile(fn, {.strict = true, .name = "strict"});
  EXPECT_EMBER_ERROR(strict(a, b), "compile(strict): cannot build the fused kernel");
}
