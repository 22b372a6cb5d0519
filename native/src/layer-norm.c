#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "vector-math.h"

#define MAX_SIZE 0x7fffffff

/* layerNormForward(heap, rows, cols, x, gamma, beta, epsilon, y, mean, rstd): normalises each
 * row of x [rows, cols] to zero mean and unit variance, then y = xhat * gamma + beta. Also writes
 * each row's mean and 1 / sqrt(variance + epsilon), which the backward pass reuses. */
napi_value layer_norm_forward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "layerNormForward", 10, &args)) return NULL;
  int64_t rows = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t cols = arg_int(&args, 2, 1, MAX_SIZE);
  const float* x = arg_heap_span(&args, 3, (size_t)(rows * cols));
  const float* gamma = arg_heap_span(&args, 4, (size_t)cols);
  const float* beta = arg_heap_span(&args, 5, (size_t)cols);
  float epsilon = (float)arg_number(&args, 6);
  float* y = arg_heap_span(&args, 7, (size_t)(rows * cols));
  float* means = arg_heap_span(&args, 8, (size_t)rows);
  float* rstds = arg_heap_span(&args, 9, (size_t)rows);
  if (args.failed) return NULL;

  for (int64_t row = 0; row < rows; row++) {
    const float* in = x + row * cols;
    float* out = y + row * cols;
    float mean = sum_of(in, cols) / (float)cols;
    for (int64_t j = 0; j < cols; j++) out[j] = in[j] - mean;
    float variance = dot_of(out, out, cols) / (float)cols;
    float rstd = 1.0f / sqrtf(variance + epsilon);
    for (int64_t j = 0; j < cols; j++) out[j] = out[j] * rstd * gamma[j] + beta[j];
    means[row] = mean;
    rstds[row] = rstd;
  }
  return NULL;
}

/* layerNormBackward(heap, rows, cols, dy, x, gamma, mean, rstd, dx, dgamma, dbeta): gradients of
 * layerNormForward. With xhat the normalised row and g = dy * gamma,
 * dx = rstd * (g - mean(g) - xhat * mean(g * xhat)); dgamma and dbeta sum dy * xhat and dy over
 * the rows. */
napi_value layer_norm_backward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "layerNormBackward", 11, &args)) return NULL;
  int64_t rows = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t cols = arg_int(&args, 2, 1, MAX_SIZE);
  const float* dy = arg_heap_span(&args, 3, (size_t)(rows * cols));
  const float* x = arg_heap_span(&args, 4, (size_t)(rows * cols));
  const float* gamma = arg_heap_span(&args, 5, (size_t)cols);
  const float* means = arg_heap_span(&args, 6, (size_t)rows);
  const float* rstds = arg_heap_span(&args, 7, (size_t)rows);
  float* dx = arg_heap_span(&args, 8, (size_t)(rows * cols));
  float* dgamma = arg_heap_span(&args, 9, (size_t)cols);
  float* dbeta = arg_heap_span(&args, 10, (size_t)cols);
  if (args.failed) return NULL;

  float* scratch = malloc(2 * (size_t)cols * sizeof(float));
  if (scratch == NULL) {
    args_fail(&args, "out of memory");
    return NULL;
  }
  float* xhat = scratch;
  float* g = scratch + cols;
  memset(dgamma, 0, (size_t)cols * sizeof(float));
  memset(dbeta, 0, (size_t)cols * sizeof(float));

  for (int64_t row = 0; row < rows; row++) {
    const float* dy_row = dy + row * cols;
    const float* x_row = x + row * cols;
    float* dx_row = dx + row * cols;
    float mean = means[row];
    float rstd = rstds[row];
    for (int64_t j = 0; j < cols; j++) {
      xhat[j] = (x_row[j] - mean) * rstd;
      g[j] = dy_row[j] * gamma[j];
      dgamma[j] += dy_row[j] * xhat[j];
      dbeta[j] += dy_row[j];
    }
    float mean_g = sum_of(g, cols) / (float)cols;
    float mean_gx = dot_of(g, xhat, cols) / (float)cols;
    for (int64_t j = 0; j < cols; j++) dx_row[j] = rstd * (g[j] - mean_g - xhat[j] * mean_gx);
  }
  free(scratch);
  return NULL;
}
