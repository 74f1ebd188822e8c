// glibc's malloc settings for libtorch's CPU tensors.
//
// By default glibc serves a block above its mmap threshold (128 KiB, raised on the fly up to 32 MiB as such blocks are
// freed) with its own mmap, and gives the top of the heap back to the system once more than twice that is free. A
// training step allocates and frees the same few-megabyte activations every time, so each step maps fresh pages and
// the kernel zero-fills them on first touch: measured on one Mamba layer's forward+backward at (32, 64, 128), page
// faults and that clearing were ~40% of the CPU time (165 → 93 ms with the settings below; S5 28 → 11 ms). Keeping
// freed memory in the heap trades that for a resident size at the high-water mark of the process's own use, which a
// training loop reaches anyway in its first step.
#include "common.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

// Blocks up to 32 MiB (glibc's upper limit for the threshold) come from the heap, and the heap keeps up to 512 MiB of
// freed memory. Returns 1 when glibc took both settings, 0 otherwise (another C library, or glibc refused).
LRNN_API int32_t lrnn_tune_cpu_allocator() {
#if defined(__GLIBC__)
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1;
  return mmap_ok && trim_ok ? 1 : 0;
#else
  return 0;
#endif
}
