#include <stdint.h>

#include "kernels.h"

/* dropoutMask(mask, state, keep, scale): fills the Float32Array `mask` with `scale` where a draw
 * from sfc32 is below `keep` and 0 elsewhere, continuing the stream whose four 32-bit words are
 * in the Uint32Array `state`, and writes the advanced words back. Draw for draw it is the same
 * sequence as Random.nextUint32 in worker/engine/random.ts, and a draw is compared as
 * word / 2^32 < keep in double precision as Random.next() < keep is, so a seed gives the same
 * mask with or without the addon. */
napi_value dropout_mask(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type mask_type = napi_int8_array;
  napi_typedarray_type state_type = napi_int8_array;
  size_t count = 0;
  size_t state_length = 0;
  void* mask_data = NULL;
  void* state_data = NULL;
  double keep = 0;
  double scale = 0;
  bool valid = argc == 4 &&
               napi_get_typedarray_info(env, argv[0], &mask_type, &count, &mask_data, NULL, NULL) == napi_ok &&
               napi_get_typedarray_info(env, argv[1], &state_type, &state_length, &state_data, NULL, NULL) == napi_ok &&
               napi_get_value_double(env, argv[2], &keep) == napi_ok &&
               napi_get_value_double(env, argv[3], &scale) == napi_ok;
  if (!valid || mask_type != napi_float32_array || state_type != napi_uint32_array || state_length != 4) {
    napi_throw_error(env, NULL, "winnow native dropoutMask: expected (Float32Array mask, Uint32Array(4) state, keep, scale)");
    return NULL;
  }

  float* mask = mask_data;
  uint32_t* state = state_data;
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  float kept_value = (float)scale;
  for (size_t i = 0; i < count; i++) {
    uint32_t t = a + b + d;
    d += 1;
    a = b ^ (b >> 9);
    b = c + (c << 3);
    c = (c << 21) | (c >> 11);
    c += t;
    mask[i] = (double)t / 4294967296.0 < keep ? kept_value : 0.0f;
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
  return NULL;
}
