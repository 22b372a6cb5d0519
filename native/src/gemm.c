#include <cblas.h>

#include "kernels.h"

/* Largest matrix side or batch the kernels accept, so products of sizes fit in 64 bits. */
#define MAX_SIDE 0x7fffffff
/* Products with fewer multiply-adds than this run on one thread. Waking OpenBLAS's other threads
 * costs more than it saves on small matrices, and on a busy machine a descheduled helper thread
 * stalls the whole product. Measured on a 2-core AMD EPYC under load from other programs, the 135
 * products of one training step of the tiny preset took 18 ms on one thread and up to 290 ms on
 * two. 2^22 multiply-adds is a 160^3 product. */
#define THREADED_MIN_MULTIPLY_ADDS (1 << 22)

/* Threads a product may use, as set by setThreads; 0 until the first product reads OpenBLAS's own. */
static int max_threads = 0;
/* Threads OpenBLAS is set to use now, to skip redundant calls. */
static int current_threads = 0;

void gemm_set_max_threads(int count) {
  max_threads = count;
  current_threads = count;
  openblas_set_num_threads(count);
}

int gemm_max_threads(void) {
  if (max_threads == 0) gemm_set_max_threads(openblas_get_num_threads());
  return max_threads;
}

void gemm_use_threads_for(int64_t multiply_adds) {
  int threads = multiply_adds >= THREADED_MIN_MULTIPLY_ADDS ? gemm_max_threads() : 1;
  if (threads != current_threads) {
    openblas_set_num_threads(threads);
    current_threads = threads;
  }
}

/* gemm_batched(heap, batch, m, n, k, transposeA, transposeB, aOffset, aBatchStride, bOffset,
 * bBatchStride, cOffset): for each i < batch, C_i[m, n] = op(A_i) op(B_i), with op transposing
 * when its flag is set, A_i at aOffset + 4 * i * aBatchStride and B_i likewise. A batch stride of
 * 0 repeats one matrix over the batch. All matrices are row-major and packed. */
napi_value gemm_batched(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "gemmBatched", 12, &args)) return NULL;
  int64_t batch = arg_int(&args, 1, 1, MAX_SIDE);
  int64_t m = arg_int(&args, 2, 1, MAX_SIDE);
  int64_t n = arg_int(&args, 3, 1, MAX_SIDE);
  int64_t k = arg_int(&args, 4, 1, MAX_SIDE);
  bool transpose_a = arg_bool(&args, 5);
  bool transpose_b = arg_bool(&args, 6);
  int64_t a_stride = arg_int(&args, 8, 0, INT64_MAX / 4);
  int64_t b_stride = arg_int(&args, 10, 0, INT64_MAX / 4);
  const float* a = arg_heap_span(&args, 7, (size_t)((batch - 1) * a_stride + m * k));
  const float* b = arg_heap_span(&args, 9, (size_t)((batch - 1) * b_stride + k * n));
  float* c = arg_heap_span(&args, 11, (size_t)(batch * m * n));
  if (args.failed) return NULL;

  enum CBLAS_TRANSPOSE op_a = transpose_a ? CblasTrans : CblasNoTrans;
  enum CBLAS_TRANSPOSE op_b = transpose_b ? CblasTrans : CblasNoTrans;
  blasint lda = (blasint)(transpose_a ? m : k);
  blasint ldb = (blasint)(transpose_b ? k : n);
  gemm_use_threads_for(m * n * k);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, op_a, op_b, (blasint)m, (blasint)n, (blasint)k, 1.0f, a + i * a_stride, lda,
                b + i * b_stride, ldb, 0.0f, c + i * m * n, (blasint)n);
  }
  return NULL;
}
