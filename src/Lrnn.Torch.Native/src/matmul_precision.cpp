// Float32 matmul precision, as torch.set_float32_matmul_precision and torch.backends.cuda.matmul.allow_tf32: a
// process-wide flag read when a matmul runs. "highest" (PyTorch's default) keeps float32 matmuls in float32;
// "high" lets cuBLAS use TF32 tensor cores (inputs rounded to a 10-bit mantissa, float32 accumulation: about 8×
// the float32 throughput on an H100); "medium" also allows bfloat16 internally where a backend supports it.
// allow_tf32 is the same flag seen as a bool: true = not "highest"; setting it selects "high" or "highest". It is
// implemented through the precision, not Context::setAllowTF32CuBLAS: PyTorch ≥ 2.9 refuses to read the precision
// once the two legacy setters have both been used ("mix of the legacy and new APIs"), and the precision members
// exist unchanged from libtorch 1.13 to 2.x.
#include "common.h"

namespace {
// The codes C# passes, in at::Float32MatmulPrecision's order.
const char* precision_name(int32_t code) {
  switch (code) {
    case 0: return "highest";
    case 1: return "high";
    case 2: return "medium";
    default: throw std::invalid_argument("float32 matmul precision code " + std::to_string(code) + " is not 0, 1 or 2");
  }
}
}  // namespace

LRNN_API int32_t lrnn_get_float32_matmul_precision() {
  LRNN_VALUE(-1, static_cast<int32_t>(at::globalContext().float32MatmulPrecision()));
}
LRNN_API int32_t lrnn_set_float32_matmul_precision(int32_t code) {
  LRNN_STATUS(at::globalContext().setFloat32MatmulPrecision(precision_name(code)));
}
LRNN_API int32_t lrnn_get_allow_tf32_cublas() {
  LRNN_VALUE(-1, at::globalContext().float32MatmulPrecision() != at::Float32MatmulPrecision::HIGHEST ? 1 : 0);
}
LRNN_API int32_t lrnn_set_allow_tf32_cublas(int32_t allow) {
  LRNN_STATUS(at::globalContext().setFloat32MatmulPrecision(allow != 0 ? "high" : "highest"));
}
