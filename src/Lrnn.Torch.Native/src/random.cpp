// Random numbers: seeding, generator objects and the random factories.
//
// A generator is an opaque `at::Generator*` (a reference-counted handle on a GeneratorImpl) owned by the
// C# GeneratorHandle. The default generators of the CPU and of each CUDA device are reached through
// handles that share the global GeneratorImpl, so get/set of their state is the global RNG state.
// Functions taking a generator accept nullptr for "the default generator of the tensor's device".
#include "common.h"
#include "cuda_support.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

using generator_t = at::Generator*;

namespace {
c10::optional<at::Generator> opt_generator(generator_t g) {
  return g ? c10::optional<at::Generator>(*g) : c10::nullopt;
}

generator_t new_handle(at::Generator&& g) { return new at::Generator(std::move(g)); }
}  // namespace

// Seeds the CPU generator and the default generator of every CUDA device.
LRNN_API int32_t lrnn_manual_seed(uint64_t seed) { LRNN_STATUS(at::manual_seed(seed)); }

// ---- generators ----------------------------------------------------------------------------------------
LRNN_API generator_t lrnn_generator_new(int32_t device_type, int32_t device_index, uint64_t seed) {
  try {
    lrnn::clear_error();
    const auto device = lrnn::device_of(device_type, device_index);
    if (device.is_cpu()) return new_handle(at::detail::createCPUGenerator(seed));
#ifdef LRNN_WITH_CUDA
    if (device.is_cuda()) {
      auto g = lrnn::cuda::make_generator(device_index);
      g.set_current_seed(seed);
      return new_handle(std::move(g));
    }
#endif
    LRNN_REQUIRE(false, "generators on " + device.str() + " are not supported by this build");
  }
  LRNN_CATCH(nullptr)
}

LRNN_API generator_t lrnn_default_generator(int32_t device_type, int32_t device_index) {
  try {
    lrnn::clear_error();
    return new_handle(at::Generator(at::globalContext().defaultGenerator(lrnn::device_of(device_type, device_index))));
  }
  LRNN_CATCH(nullptr)
}

LRNN_API void lrnn_generator_free(generator_t g) { delete g; }

LRNN_API int32_t lrnn_generator_manual_seed(generator_t g, uint64_t seed) {
  LRNN_STATUS({
    std::lock_guard<std::mutex> lock(g->mutex());
    g->set_current_seed(seed);
  });
}
LRNN_API int32_t lrnn_generator_initial_seed(generator_t g, uint64_t* seed) {
  LRNN_STATUS({
    std::lock_guard<std::mutex> lock(g->mutex());
    *seed = g->current_seed();
  });
}
// Seeds from a non-deterministic source and returns the seed used.
LRNN_API int32_t lrnn_generator_seed(generator_t g, uint64_t* seed) {
  LRNN_STATUS({
    std::lock_guard<std::mutex> lock(g->mutex());
    *seed = g->seed();
  });
}
LRNN_API int32_t lrnn_generator_device(generator_t g, int32_t* device_type, int32_t* device_index) {
  LRNN_STATUS({
    *device_type = static_cast<int32_t>(g->device().type());
    *device_index = g->device().index();
  });
}

// The state as a 1-D uint8 CPU tensor (its layout is the generator's own: restore it only into a
// generator of the same kind).
LRNN_API tensor_t lrnn_generator_get_state(generator_t g) {
  try {
    lrnn::clear_error();
    std::lock_guard<std::mutex> lock(g->mutex());
    return lrnn::wrap(g->get_state());
  }
  LRNN_CATCH(nullptr)
}
LRNN_API int32_t lrnn_generator_set_state(generator_t g, tensor_t state) {
  LRNN_STATUS({
    std::lock_guard<std::mutex> lock(g->mutex());
    g->set_state(*state);
  });
}

// ---- random factories ----------------------------------------------------------------------------------
#define LRNN_OPTS lrnn::options(dtype, device_type, device_index, requires_grad != 0)
#define LRNN_OPT_ARGS int32_t dtype, int32_t device_type, int32_t device_index, int32_t requires_grad

LRNN_API tensor_t lrnn_rand(const int64_t* shape, int32_t ndim, generator_t g, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::rand(lrnn::dims(shape, ndim), opt_generator(g), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_randn(const int64_t* shape, int32_t ndim, generator_t g, LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::randn(lrnn::dims(shape, ndim), opt_generator(g), LRNN_OPTS));
}
LRNN_API tensor_t lrnn_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, generator_t g,
                               LRNN_OPT_ARGS) {
  LRNN_TENSOR(at::randint(low, high, lrnn::dims(shape, ndim), opt_generator(g), LRNN_OPTS));
}

LRNN_API tensor_t lrnn_multinomial(tensor_t probs, int64_t num_samples, int32_t replacement, generator_t g) {
  LRNN_TENSOR(at::multinomial(*probs, num_samples, replacement != 0, opt_generator(g)));
}
LRNN_API tensor_t lrnn_bernoulli(tensor_t probs, generator_t g) { LRNN_TENSOR(at::bernoulli(*probs, opt_generator(g))); }

LRNN_API int32_t lrnn_uniform_(tensor_t t, double from, double to, generator_t g) {
  LRNN_STATUS(t->uniform_(from, to, opt_generator(g)));
}
LRNN_API int32_t lrnn_normal_(tensor_t t, double mean, double std, generator_t g) {
  LRNN_STATUS(t->normal_(mean, std, opt_generator(g)));
}
