#include <cblas.h>
#include <string.h>

#include "kernels.h"

#define MAX_SIZE 0x7fffffff

/* linearForward(heap, rows, inputs, outputs, x, weight, bias, y): y [rows, outputs] =
 * x [rows, inputs] weight [inputs, outputs] + bias [outputs], the bias added by starting sgemm
 * from it (beta = 1). */
napi_value linear_forward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "linearForward", 8, &args)) return NULL;
  int64_t rows = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t inputs = arg_int(&args, 2, 1, MAX_SIZE);
  int64_t outputs = arg_int(&args, 3, 1, MAX_SIZE);
  const float* x = arg_heap_span(&args, 4, (size_t)(rows * inputs));
  const float* weight = arg_heap_span(&args, 5, (size_t)(inputs * outputs));
  const float* bias = arg_heap_span(&args, 6, (size_t)outputs);
  float* y = arg_heap_span(&args, 7, (size_t)(rows * outputs));
  if (args.failed) return NULL;

  for (int64_t row = 0; row < rows; row++) memcpy(y + row * outputs, bias, (size_t)outputs * sizeof(float));
  gemm_use_threads_for(rows * inputs * outputs);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)rows, (blasint)outputs, (blasint)inputs, 1.0f, x,
              (blasint)inputs, weight, (blasint)outputs, 1.0f, y, (blasint)outputs);
  return NULL;
}

/* linearBackward(heap, rows, inputs, outputs, dy, x, weight, dx, dWeight, dBias): gradients of
 * linearForward: dx = dy weight^T, dWeight = x^T dy, dBias = column sums of dy. */
napi_value linear_backward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "linearBackward", 10, &args)) return NULL;
  int64_t rows = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t inputs = arg_int(&args, 2, 1, MAX_SIZE);
  int64_t outputs = arg_int(&args, 3, 1, MAX_SIZE);
  const float* dy = arg_heap_span(&args, 4, (size_t)(rows * outputs));
  const float* x = arg_heap_span(&args, 5, (size_t)(rows * inputs));
  const float* weight = arg_heap_span(&args, 6, (size_t)(inputs * outputs));
  float* dx = arg_heap_span(&args, 7, (size_t)(rows * inputs));
  float* d_weight = arg_heap_span(&args, 8, (size_t)(inputs * outputs));
  float* d_bias = arg_heap_span(&args, 9, (size_t)outputs);
  if (args.failed) return NULL;

  gemm_use_threads_for(rows * inputs * outputs);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)rows, (blasint)inputs, (blasint)outputs, 1.0f, dy,
              (blasint)outputs, weight, (blasint)outputs, 0.0f, dx, (blasint)inputs);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (blasint)inputs, (blasint)outputs, (blasint)rows, 1.0f, x,
              (blasint)inputs, dy, (blasint)outputs, 0.0f, d_weight, (blasint)outputs);
  memset(d_bias, 0, (size_t)outputs * sizeof(float));
  for (int64_t row = 0; row < rows; row++) {
    const float* dy_row = dy + row * outputs;
    for (int64_t j = 0; j < outputs; j++) d_bias[j] += dy_row[j];
  }
  return NULL;
}
