#include "kernels.h"
#include "vector-math.h"

#define MAX_SIZE 0x7fffffff

/* softmaxBackward(heap, rows, cols, y, dy, dx): gradient of a softmax over the last axis given
 * its output y: dx = y * (dy - sum(dy * y)) per row. */
napi_value softmax_backward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "softmaxBackward", 6, &args)) return NULL;
  int64_t rows = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t cols = arg_int(&args, 2, 1, MAX_SIZE);
  const float* y = arg_heap_span(&args, 3, (size_t)(rows * cols));
  const float* dy = arg_heap_span(&args, 4, (size_t)(rows * cols));
  float* dx = arg_heap_span(&args, 5, (size_t)(rows * cols));
  if (args.failed) return NULL;

  for (int64_t row = 0; row < rows; row++) {
    const float* y_row = y + row * cols;
    const float* dy_row = dy + row * cols;
    float* dx_row = dx + row * cols;
    float total = dot_of(dy_row, y_row, cols);
    for (int64_t j = 0; j < cols; j++) dx_row[j] = y_row[j] * (dy_row[j] - total);
  }
  return NULL;
}
