#include <stdint.h>

#include "kernels.h"

#define MAX_SIZE 0x7fffffff
/* Words of sfc32's state. */
#define STATE_WORDS 4

/* dropoutForward(heap, count, x, y, mask, state, keep, scale): inverted dropout of x [count].
 * mask[i] (one byte) is 1 where a draw from sfc32 is below `keep` and y[i] = x[i] * scale there,
 * else 0. The draws continue the stream whose four 32-bit words are in the Uint32Array `state`,
 * and the advanced words are written back. Draw for draw this is the sequence of
 * Random.nextUint32 in worker/engine/random.ts, and a draw is compared as word / 2^32 < keep in
 * double precision, as Random.next() < keep is, so a seed gives the same mask with or without the
 * addon. */
napi_value dropout_forward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "dropoutForward", 8, &args)) return NULL;
  int64_t count = arg_int(&args, 1, 1, MAX_SIZE);
  const float* x = arg_heap_span(&args, 2, (size_t)count);
  float* y = arg_heap_span(&args, 3, (size_t)count);
  uint8_t* mask = arg_heap_bytes(&args, 4, (size_t)count);
  uint32_t* state = arg_uint32_array(&args, 5, STATE_WORDS);
  double keep = arg_number(&args, 6);
  float scale = (float)arg_number(&args, 7);
  if (args.failed) return NULL;

  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (int64_t i = 0; i < count; i++) {
    uint32_t t = a + b + d;
    d += 1;
    a = b ^ (b >> 9);
    b = c + (c << 3);
    c = (c << 21) | (c >> 11);
    c += t;
    bool kept = (double)t / 4294967296.0 < keep;
    mask[i] = kept;
    y[i] = kept ? x[i] * scale : 0.0f;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  return NULL;
}

/* dropoutBackward(heap, count, dy, mask, scale, dx): dx = dy * scale where mask is 1, else 0. */
napi_value dropout_backward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "dropoutBackward", 6, &args)) return NULL;
  int64_t count = arg_int(&args, 1, 1, MAX_SIZE);
  const float* dy = arg_heap_span(&args, 2, (size_t)count);
  const uint8_t* mask = arg_heap_bytes(&args, 3, (size_t)count);
  float scale = (float)arg_number(&args, 4);
  float* dx = arg_heap_span(&args, 5, (size_t)count);
  if (args.failed) return NULL;

  for (int64_t i = 0; i < count; i++) dx[i] = mask[i] ? dy[i] * scale : 0.0f;
  return NULL;
}

/* reluBackward(heap, count, dy, x, dx): dx = dy where x > 0, else 0, the gradient of max(x, 0). */
napi_value relu_backward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "reluBackward", 5, &args)) return NULL;
  int64_t count = arg_int(&args, 1, 1, MAX_SIZE);
  const float* dy = arg_heap_span(&args, 2, (size_t)count);
  const float* x = arg_heap_span(&args, 3, (size_t)count);
  float* dx = arg_heap_span(&args, 4, (size_t)count);
  if (args.failed) return NULL;

  for (int64_t i = 0; i < count; i++) dx[i] = x[i] > 0 ? dy[i] : 0.0f;
  return NULL;
}
