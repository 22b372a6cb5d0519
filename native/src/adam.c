#include <math.h>
#include <stdio.h>

#include "kernels.h"

#define MAX_SIZE 0x7fffffff
/* Numbers per variable in the table: the byte offsets of the variable, its gradient, first and
 * second moments, the three outputs, and the element count. */
#define TABLE_WIDTH 8
/* Added to the norm before dividing, as the TypeScript optimizer does. */
#define NORM_EPSILON 1e-6

typedef struct {
  const float* variable;
  const float* gradient;
  const float* first;
  const float* second;
  float* new_variable;
  float* new_first;
  float* new_second;
  int64_t size;
} adam_entry;

typedef struct {
  float beta1, beta2, epsilon, step_size;
  /* Factor of every gradient, below 1 when the global norm is clipped. */
  float gradient_scale;
} adam_settings;

/* Updates `size` elements of one variable. The outputs are fresh tensors, so no pointer aliases
 * another, and restrict-qualified parameters let GCC vectorize the loop. */
static void update_elements(int64_t size, const float* restrict variable, const float* restrict gradient,
                            const float* restrict first, const float* restrict second, float* restrict new_variable,
                            float* restrict new_first, float* restrict new_second, adam_settings s) {
  for (int64_t j = 0; j < size; j++) {
    float g = gradient[j] * s.gradient_scale;
    float m = s.beta1 * first[j] + (1 - s.beta1) * g;
    float v = s.beta2 * second[j] + (1 - s.beta2) * g * g;
    new_first[j] = m;
    new_second[j] = v;
    new_variable[j] = variable[j] - s.step_size * m / (sqrtf(v) + s.epsilon);
  }
}

static bool read_entry(call_args* args, const double* row, size_t index, adam_entry* entry) {
  static const char* names[] = {"variable", "gradient", "first moment", "second moment",
                                "new variable", "new first moment", "new second moment"};
  double size = row[7];
  if (size != floor(size) || size < 1 || size > MAX_SIZE) {
    char message[96];
    snprintf(message, sizeof message, "variable %zu has an invalid size %g", index, size);
    args_fail(args, message);
    return false;
  }
  void* spans[7];
  for (int k = 0; k < 7; k++) {
    char tensor_name[64];
    snprintf(tensor_name, sizeof tensor_name, "%s of variable %zu", names[k], index);
    spans[k] = heap_span(args, row[k], (size_t)size, tensor_name);
  }
  entry->variable = spans[0];
  entry->gradient = spans[1];
  entry->first = spans[2];
  entry->second = spans[3];
  entry->new_variable = spans[4];
  entry->new_first = spans[5];
  entry->new_second = spans[6];
  entry->size = (int64_t)size;
  return !args->failed;
}

/* adamStep(heap, count, table, beta1, beta2, epsilon, stepSize, clipNorm): one Adam update of
 * `count` variables described by `table` (TABLE_WIDTH numbers each), after scaling the gradients
 * by min(1, clipNorm / (global norm + 1e-6)) when clipNorm > 0. Per element, with g the scaled
 * gradient: m' = beta1 m + (1 - beta1) g, v' = beta2 v + (1 - beta2) g^2,
 * w' = w - stepSize m' / (sqrt(v') + epsilon). Returns the global gradient norm before clipping. */
napi_value adam_step(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "adamStep", 8, &args)) return NULL;
  int64_t count = arg_int(&args, 1, 1, 1 << 20);
  const double* table = arg_float64_array(&args, 2, (size_t)(count * TABLE_WIDTH));
  float beta1 = (float)arg_number(&args, 3);
  float beta2 = (float)arg_number(&args, 4);
  float epsilon = (float)arg_number(&args, 5);
  float step_size = (float)arg_number(&args, 6);
  double clip_norm = arg_number(&args, 7);
  if (args.failed) return NULL;

  double squares = 0;
  for (int64_t i = 0; i < count; i++) {
    adam_entry entry;
    if (!read_entry(&args, table + i * TABLE_WIDTH, (size_t)i, &entry)) return NULL;
    float partial = 0;
    for (int64_t j = 0; j < entry.size; j++) partial += entry.gradient[j] * entry.gradient[j];
    squares += partial;
  }
  double norm = sqrt(squares);
  float scale = clip_norm > 0 ? (float)fmin(1, clip_norm / (norm + NORM_EPSILON)) : 1.0f;

  adam_settings settings = {beta1, beta2, epsilon, step_size, scale};
  for (int64_t i = 0; i < count; i++) {
    adam_entry entry;
    read_entry(&args, table + i * TABLE_WIDTH, (size_t)i, &entry);
    update_elements(entry.size, entry.variable, entry.gradient, entry.first, entry.second, entry.new_variable,
                    entry.new_first, entry.new_second, settings);
  }
  return make_number(env, norm);
}
