#include "args.h"

#include <math.h>
#include <stdio.h>

void args_fail(call_args* args, const char* message) {
  if (args->failed) return;
  args->failed = true;
  char text[256];
  snprintf(text, sizeof text, "winnow native %s: %s", args->function, message);
  napi_throw_error(args->env, NULL, text);
}

bool args_read(napi_env env, napi_callback_info info, const char* function, size_t expected, call_args* args) {
  args->env = env;
  args->function = function;
  args->failed = false;
  args->heap = NULL;
  args->heap_bytes = 0;
  args->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &args->argc, args->argv, NULL, NULL) != napi_ok) {
    args_fail(args, "failed to read the arguments");
    return false;
  }
  if (args->argc != expected) {
    char message[96];
    snprintf(message, sizeof message, "expected %zu arguments, got %zu", expected, args->argc);
    args_fail(args, message);
    return false;
  }

  bool is_typed_array = false;
  napi_is_typedarray(env, args->argv[0], &is_typed_array);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = NULL;
  if (!is_typed_array ||
      napi_get_typedarray_info(env, args->argv[0], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || data == NULL) {
    args_fail(args, "the first argument must be the WebAssembly heap as a Uint8Array");
    return false;
  }
  args->heap = data;
  args->heap_bytes = length;
  return true;
}

double arg_number(call_args* args, size_t index) {
  if (args->failed) return 0;
  double value = 0;
  if (napi_get_value_double(args->env, args->argv[index], &value) != napi_ok || !isfinite(value)) {
    char message[64];
    snprintf(message, sizeof message, "argument %zu must be a finite number", index);
    args_fail(args, message);
    return 0;
  }
  return value;
}

int64_t arg_int(call_args* args, size_t index, int64_t minimum, int64_t maximum) {
  double value = arg_number(args, index);
  if (args->failed) return 0;
  if (value != floor(value) || value < (double)minimum || value > (double)maximum) {
    char message[128];
    snprintf(message, sizeof message, "argument %zu must be an integer from %lld to %lld, got %g", index,
             (long long)minimum, (long long)maximum, value);
    args_fail(args, message);
    return 0;
  }
  return (int64_t)value;
}

bool arg_bool(call_args* args, size_t index) {
  if (args->failed) return false;
  bool value = false;
  if (napi_get_value_bool(args->env, args->argv[index], &value) != napi_ok) {
    char message[64];
    snprintf(message, sizeof message, "argument %zu must be a boolean", index);
    args_fail(args, message);
  }
  return value;
}

void* heap_span(call_args* args, double offset, size_t count, const char* tensor_name) {
  if (args->failed) return NULL;
  if (offset != floor(offset) || offset < 0 || fmod(offset, 4) != 0 ||
      offset + (double)count * 4 > (double)args->heap_bytes) {
    char message[192];
    snprintf(message, sizeof message, "%s: %zu elements at byte offset %.0f do not fit the %zu-byte heap",
             tensor_name, count, offset, args->heap_bytes);
    args_fail(args, message);
    return NULL;
  }
  return args->heap + (size_t)offset;
}

void* arg_heap_span(call_args* args, size_t index, size_t count) {
  double offset = arg_number(args, index);
  char tensor_name[32];
  snprintf(tensor_name, sizeof tensor_name, "argument %zu", index);
  return heap_span(args, offset, count, tensor_name);
}

uint8_t* arg_heap_bytes(call_args* args, size_t index, size_t count) {
  double offset = arg_number(args, index);
  if (args->failed) return NULL;
  if (offset != floor(offset) || offset < 0 || offset + (double)count > (double)args->heap_bytes) {
    char message[160];
    snprintf(message, sizeof message, "argument %zu: %zu bytes at offset %.0f do not fit the %zu-byte heap", index, count,
             offset, args->heap_bytes);
    args_fail(args, message);
    return NULL;
  }
  return args->heap + (size_t)offset;
}

uint32_t* arg_uint32_array(call_args* args, size_t index, size_t count) {
  if (args->failed) return NULL;
  bool is_typed_array = false;
  napi_is_typedarray(args->env, args->argv[index], &is_typed_array);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = NULL;
  if (!is_typed_array ||
      napi_get_typedarray_info(args->env, args->argv[index], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint32_array || length != count) {
    char message[96];
    snprintf(message, sizeof message, "argument %zu must be a Uint32Array of %zu numbers", index, count);
    args_fail(args, message);
    return NULL;
  }
  return data;
}

void* arg_optional_heap_span(call_args* args, size_t index, size_t count) {
  if (args->failed) return NULL;
  double value = 0;
  if (napi_get_value_double(args->env, args->argv[index], &value) == napi_ok && value == -1) return NULL;
  return arg_heap_span(args, index, count);
}

const double* arg_float64_array(call_args* args, size_t index, size_t count) {
  if (args->failed) return NULL;
  bool is_typed_array = false;
  napi_is_typedarray(args->env, args->argv[index], &is_typed_array);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = NULL;
  if (!is_typed_array ||
      napi_get_typedarray_info(args->env, args->argv[index], &type, &length, &data, NULL, NULL) != napi_ok ||
      type != napi_float64_array || length != count) {
    char message[96];
    snprintf(message, sizeof message, "argument %zu must be a Float64Array of %zu numbers", index, count);
    args_fail(args, message);
    return NULL;
  }
  return data;
}

napi_value make_number(napi_env env, double value) {
  napi_value result = NULL;
  napi_create_double(env, value, &result);
  return result;
}
