/* Argument parsing for the N-API functions. Every function takes the WebAssembly heap of
 * tfjs-backend-wasm (a Uint8Array over the module's memory) first, then byte offsets of
 * tensors in that heap and plain numbers. Offsets are checked against the heap size, so a
 * wrong offset raises a JavaScript error instead of writing outside the heap. */
#ifndef WINNOW_ARGS_H
#define WINNOW_ARGS_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_ARGS 24

typedef struct {
  napi_env env;
  const char* function;
  napi_value argv[MAX_ARGS];
  size_t argc;
  uint8_t* heap;
  size_t heap_bytes;
  /* Set once an error has been thrown; later reads return zero values. */
  bool failed;
} call_args;

/* Reads exactly `expected` arguments, the first being the heap. Returns false after throwing. */
bool args_read(napi_env env, napi_callback_info info, const char* function, size_t expected, call_args* args);

/* Reads argument `index` as a number. */
double arg_number(call_args* args, size_t index);

/* Reads argument `index` as an integer in [minimum, maximum]. */
int64_t arg_int(call_args* args, size_t index, int64_t minimum, int64_t maximum);

/* Reads argument `index` as a boolean. */
bool arg_bool(call_args* args, size_t index);

/* Reads argument `index` as the byte offset of `count` 4-byte elements in the heap and returns
 * their address, after checking alignment and bounds. */
void* arg_heap_span(call_args* args, size_t index, size_t count);

/* Returns the address of `count` 4-byte elements at byte offset `offset` of the heap, after
 * checking alignment and bounds. `tensor_name` names the tensor in the error. */
void* heap_span(call_args* args, double offset, size_t count, const char* tensor_name);

/* Reads argument `index` as the byte offset of `count` one-byte elements in the heap, such as a
 * bool tensor, and returns their address after checking bounds. */
uint8_t* arg_heap_bytes(call_args* args, size_t index, size_t count);

/* Reads argument `index` as a Uint32Array of exactly `count` numbers and returns them, writable. */
uint32_t* arg_uint32_array(call_args* args, size_t index, size_t count);

/* Like arg_heap_span, but an offset of -1 stands for an absent tensor and gives NULL. */
void* arg_optional_heap_span(call_args* args, size_t index, size_t count);

/* Reads argument `index` as a Float64Array of exactly `count` numbers and returns them. */
const double* arg_float64_array(call_args* args, size_t index, size_t count);

/* Throws a JavaScript Error that names the function, unless one was thrown already. */
void args_fail(call_args* args, const char* message);

/* Creates a JavaScript number, or undefined after an error. */
napi_value make_number(napi_env env, double value);

#endif
