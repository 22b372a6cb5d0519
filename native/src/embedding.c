#include <stdio.h>
#include <string.h>

#include "kernels.h"

#define MAX_SIZE 0x7fffffff

static bool check_ids(call_args* args, const int32_t* ids, int64_t count, int64_t vocab) {
  for (int64_t i = 0; i < count; i++) {
    if (ids[i] < 0 || ids[i] >= vocab) {
      char message[128];
      snprintf(message, sizeof message, "token id %d at position %lld is outside the table of %lld rows", ids[i],
               (long long)i, (long long)vocab);
      args_fail(args, message);
      return false;
    }
  }
  return true;
}

/* embeddingForward(heap, count, vocab, dim, table, ids, out): out[i] = table[ids[i]] for int32
 * ids [count] and table [vocab, dim]. */
napi_value embedding_forward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "embeddingForward", 7, &args)) return NULL;
  int64_t count = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t vocab = arg_int(&args, 2, 1, MAX_SIZE);
  int64_t dim = arg_int(&args, 3, 1, MAX_SIZE);
  const float* table = arg_heap_span(&args, 4, (size_t)(vocab * dim));
  const int32_t* ids = arg_heap_span(&args, 5, (size_t)count);
  float* out = arg_heap_span(&args, 6, (size_t)(count * dim));
  if (args.failed || !check_ids(&args, ids, count, vocab)) return NULL;

  for (int64_t i = 0; i < count; i++) memcpy(out + i * dim, table + ids[i] * dim, (size_t)dim * sizeof(float));
  return NULL;
}

/* embeddingBackward(heap, count, vocab, dim, dy, ids, dTable): the gradient of embeddingForward
 * for the table, dTable [vocab, dim] = sum over i of dy[i] added at row ids[i]. */
napi_value embedding_backward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "embeddingBackward", 7, &args)) return NULL;
  int64_t count = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t vocab = arg_int(&args, 2, 1, MAX_SIZE);
  int64_t dim = arg_int(&args, 3, 1, MAX_SIZE);
  const float* dy = arg_heap_span(&args, 4, (size_t)(count * dim));
  const int32_t* ids = arg_heap_span(&args, 5, (size_t)count);
  float* d_table = arg_heap_span(&args, 6, (size_t)(vocab * dim));
  if (args.failed || !check_ids(&args, ids, count, vocab)) return NULL;

  memset(d_table, 0, (size_t)(vocab * dim) * sizeof(float));
  for (int64_t i = 0; i < count; i++) {
    float* target = d_table + ids[i] * dim;
    const float* source = dy + i * dim;
    for (int64_t j = 0; j < dim; j++) target[j] += source[j];
  }
  return NULL;
}
