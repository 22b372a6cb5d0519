#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "vector-math.h"

#define MAX_SIZE 0x7fffffff

/* Checks that every target id is a valid column of the logits. */
static bool check_targets(call_args* args, const int32_t* targets, int64_t count, int64_t vocab) {
  for (int64_t i = 0; i < count; i++) {
    if (targets[i] < 0 || targets[i] >= vocab) {
      char message[128];
      snprintf(message, sizeof message, "target id %d at position %lld is outside the vocabulary of %lld", targets[i],
               (long long)i, (long long)vocab);
      args_fail(args, message);
      return false;
    }
  }
  return true;
}

/* crossEntropyForward(heap, pairs, length, vocab, logits, targets, mask, labelSmoothing, smoothed,
 * nll, logSumExp): for logits [pairs, length, vocab], int32 targets and float weights mask
 * [pairs, length], writes each pair's weighted token mean of the label-smoothed cross-entropy
 * (1 - eps) * nll + eps * (logSumExp - mean logit) and of the plain nll = logSumExp - logit[target],
 * dividing by max(sum of the pair's mask, 1). Rows whose mask is 0 are skipped: their logSumExp
 * is written as 0 and they add nothing. */
napi_value cross_entropy_forward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "crossEntropyForward", 11, &args)) return NULL;
  int64_t pairs = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t length = arg_int(&args, 2, 1, MAX_SIZE);
  int64_t vocab = arg_int(&args, 3, 1, MAX_SIZE);
  int64_t rows = pairs * length;
  const float* logits = arg_heap_span(&args, 4, (size_t)(rows * vocab));
  const int32_t* targets = arg_heap_span(&args, 5, (size_t)rows);
  const float* mask = arg_heap_span(&args, 6, (size_t)rows);
  float smoothing = (float)arg_number(&args, 7);
  float* smoothed = arg_heap_span(&args, 8, (size_t)pairs);
  float* nll = arg_heap_span(&args, 9, (size_t)pairs);
  float* log_sum_exp = arg_heap_span(&args, 10, (size_t)rows);
  if (args.failed || !check_targets(&args, targets, rows, vocab)) return NULL;

  for (int64_t pair = 0; pair < pairs; pair++) {
    double smoothed_sum = 0, nll_sum = 0, weight_sum = 0;
    for (int64_t position = 0; position < length; position++) {
      int64_t r = pair * length + position;
      log_sum_exp[r] = 0;
      if (mask[r] == 0) continue;
      const float* row = logits + r * vocab;
      float shift = max_of(row, vocab);
      float lse = shift + logf(sum_exp_of(row, vocab, shift));
      float token_nll = lse - row[targets[r]];
      float token_uniform = lse - sum_of(row, vocab) / (float)vocab;
      log_sum_exp[r] = lse;
      smoothed_sum += (double)mask[r] * ((1 - smoothing) * token_nll + smoothing * token_uniform);
      nll_sum += (double)mask[r] * token_nll;
      weight_sum += mask[r];
    }
    double count = weight_sum > 1 ? weight_sum : 1;
    smoothed[pair] = (float)(smoothed_sum / count);
    nll[pair] = (float)(nll_sum / count);
  }
  return NULL;
}

/* crossEntropyBackward(heap, pairs, length, vocab, logits, targets, mask, logSumExp, labelSmoothing,
 * dSmoothed, dNll, dLogits): gradient of crossEntropyForward's two outputs with respect to the
 * logits. dSmoothed or dNll may be -1 when that output received no gradient. With
 * p = softmax(row) and c = mask / max(sum of the pair's mask, 1):
 * dLogits = c * (dSmoothed * (p - eps / vocab - (1 - eps) onehot) + dNll * (p - onehot)). */
napi_value cross_entropy_backward(napi_env env, napi_callback_info info) {
  call_args args;
  if (!args_read(env, info, "crossEntropyBackward", 12, &args)) return NULL;
  int64_t pairs = arg_int(&args, 1, 1, MAX_SIZE);
  int64_t length = arg_int(&args, 2, 1, MAX_SIZE);
  int64_t vocab = arg_int(&args, 3, 1, MAX_SIZE);
  int64_t rows = pairs * length;
  const float* logits = arg_heap_span(&args, 4, (size_t)(rows * vocab));
  const int32_t* targets = arg_heap_span(&args, 5, (size_t)rows);
  const float* mask = arg_heap_span(&args, 6, (size_t)rows);
  const float* log_sum_exp = arg_heap_span(&args, 7, (size_t)rows);
  float smoothing = (float)arg_number(&args, 8);
  const float* d_smoothed = arg_optional_heap_span(&args, 9, (size_t)pairs);
  const float* d_nll = arg_optional_heap_span(&args, 10, (size_t)pairs);
  float* d_logits = arg_heap_span(&args, 11, (size_t)(rows * vocab));
  if (args.failed || !check_targets(&args, targets, rows, vocab)) return NULL;

  for (int64_t pair = 0; pair < pairs; pair++) {
    float weight_sum = sum_of(mask + pair * length, length);
    float count = weight_sum > 1 ? weight_sum : 1;
    float gs = d_smoothed == NULL ? 0 : d_smoothed[pair];
    float gn = d_nll == NULL ? 0 : d_nll[pair];
    for (int64_t position = 0; position < length; position++) {
      int64_t r = pair * length + position;
      float* out = d_logits + r * vocab;
      if (mask[r] == 0) {
        memset(out, 0, (size_t)vocab * sizeof(float));
        continue;
      }
      const float* row = logits + r * vocab;
      float c = mask[r] / count;
      float scale = c * (gs + gn);
      float offset = -c * gs * smoothing / (float)vocab;
      float lse = log_sum_exp[r];
      for (int64_t v = 0; v < vocab; v++) out[v] = scale * vector_exp(row[v] - lse) + offset;
      out[targets[r]] -= c * (gs * (1 - smoothing) + gn);
    }
  }
  return NULL;
}
