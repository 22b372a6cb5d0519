#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "kernels.h"
#include "vector-math.h"

#define MAX_SIZE 0x7fffffff

/* Sizes shared by the forward and backward pass. Queries, keys, values and context are
 * [batch, length, dModel] with head h in columns h * headDim to (h + 1) * headDim, so every
 * product below reads one head in place with a leading dimension of dModel, and no tensor is
 * transposed into [batch, heads, length, headDim]. */
typedef struct {
  int64_t batch, heads, query_length, key_length, d_model, head_dim;
} attention_shape;

static bool read_shape(call_args* args, attention_shape* shape) {
  shape->batch = arg_int(args, 1, 1, MAX_SIZE);
  shape->heads = arg_int(args, 2, 1, MAX_SIZE);
  shape->query_length = arg_int(args, 3, 1, MAX_SIZE);
  shape->key_length = arg_int(args, 4, 1, MAX_SIZE);
  shape->d_model = arg_int(args, 5, 1, MAX_SIZE);
  if (args->failed) return false;
  if (shape->d_model % shape->heads != 0) {
    args_fail(args, "dModel must be a multiple of heads");
    return false;
  }
  shape->head_dim = shape->d_model / shape->heads;
  return true;
}

static void softmax_row(float* row, int64_t count) {
  float shift = max_of(row, count);
  for (int64_t j = 0; j < count; j++) row[j] = vector_exp(row[j] - shift);
  float inverse = 1.0f / sum_of(row, count);
  for (int64_t j = 0; j < count; j++) row[j] *= inverse;
}

/* attentionForward(heap, batch, heads, queryLength, keyLength, dModel, queries, keys, values, bias,
 * biasBatch, biasRows, context, probabilities): scaled dot-product attention per head,
 * P = softmax(Q K^T / sqrt(headDim) + bias) and context = P V. `bias` (-1 for none) is
 * [biasBatch, biasRows, keyLength] with biasBatch 1 or batch and biasRows 1 or queryLength,
 * repeated over heads and over the axes of size 1. P [batch, heads, queryLength, keyLength] is
 * written for the backward pass. */
napi_value attention_forward(napi_env env, napi_callback_info info) {
  call_args args;
  attention_shape s;
  if (!args_read(env, info, "attentionForward", 14, &args) || !read_shape(&args, &s)) return NULL;
  int64_t bias_batch = arg_int(&args, 10, 1, s.batch);
  int64_t bias_rows = arg_int(&args, 11, 1, s.query_length);
  if (!args.failed && ((bias_batch != 1 && bias_batch != s.batch) || (bias_rows != 1 && bias_rows != s.query_length))) {
    args_fail(&args, "bias must have 1 or batch entries and 1 or queryLength rows");
  }
  const float* queries = arg_heap_span(&args, 6, (size_t)(s.batch * s.query_length * s.d_model));
  const float* keys = arg_heap_span(&args, 7, (size_t)(s.batch * s.key_length * s.d_model));
  const float* values = arg_heap_span(&args, 8, (size_t)(s.batch * s.key_length * s.d_model));
  const float* bias = arg_optional_heap_span(&args, 9, (size_t)(bias_batch * bias_rows * s.key_length));
  float* context = arg_heap_span(&args, 12, (size_t)(s.batch * s.query_length * s.d_model));
  float* probabilities = arg_heap_span(&args, 13, (size_t)(s.batch * s.heads * s.query_length * s.key_length));
  if (args.failed) return NULL;

  float scale = 1.0f / sqrtf((float)s.head_dim);
  blasint ld = (blasint)s.d_model;
  gemm_use_threads_for(s.query_length * s.key_length * s.head_dim);
  for (int64_t b = 0; b < s.batch; b++) {
    const float* bias_block = bias == NULL ? NULL : bias + (bias_batch == 1 ? 0 : b) * bias_rows * s.key_length;
    for (int64_t h = 0; h < s.heads; h++) {
      const float* q = queries + b * s.query_length * s.d_model + h * s.head_dim;
      const float* k = keys + b * s.key_length * s.d_model + h * s.head_dim;
      const float* v = values + b * s.key_length * s.d_model + h * s.head_dim;
      float* p = probabilities + (b * s.heads + h) * s.query_length * s.key_length;
      float* c = context + b * s.query_length * s.d_model + h * s.head_dim;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)s.query_length, (blasint)s.key_length,
                  (blasint)s.head_dim, scale, q, ld, k, ld, 0.0f, p, (blasint)s.key_length);
      for (int64_t i = 0; i < s.query_length; i++) {
        float* row = p + i * s.key_length;
        if (bias_block != NULL) {
          const float* bias_row = bias_block + (bias_rows == 1 ? 0 : i) * s.key_length;
          for (int64_t j = 0; j < s.key_length; j++) row[j] += bias_row[j];
        }
        softmax_row(row, s.key_length);
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)s.query_length, (blasint)s.head_dim,
                  (blasint)s.key_length, 1.0f, p, (blasint)s.key_length, v, ld, 0.0f, c, ld);
    }
  }
  return NULL;
}

/* attentionBackward(heap, batch, heads, queryLength, keyLength, dModel, dContext, queries, keys,
 * values, probabilities, dQueries, dKeys, dValues): gradients of attentionForward. Per head,
 * dV = P^T dC, dP = dC V^T, dS = P * (dP - rowsum(dP * P)) / sqrt(headDim), dQ = dS K and
 * dK = dS^T Q. The bias is a mask and gets no gradient. */
napi_value attention_backward(napi_env env, napi_callback_info info) {
  call_args args;
  attention_shape s;
  if (!args_read(env, info, "attentionBackward", 14, &args) || !read_shape(&args, &s)) return NULL;
  size_t query_size = (size_t)(s.batch * s.query_length * s.d_model);
  size_t key_size = (size_t)(s.batch * s.key_length * s.d_model);
  const float* d_context = arg_heap_span(&args, 6, query_size);
  const float* queries = arg_heap_span(&args, 7, query_size);
  const float* keys = arg_heap_span(&args, 8, key_size);
  const float* values = arg_heap_span(&args, 9, key_size);
  const float* probabilities = arg_heap_span(&args, 10, (size_t)(s.batch * s.heads * s.query_length * s.key_length));
  float* d_queries = arg_heap_span(&args, 11, query_size);
  float* d_keys = arg_heap_span(&args, 12, key_size);
  float* d_values = arg_heap_span(&args, 13, key_size);
  if (args.failed) return NULL;

  float* d_scores = malloc((size_t)(s.query_length * s.key_length) * sizeof(float));
  if (d_scores == NULL) {
    args_fail(&args, "out of memory");
    return NULL;
  }
  float scale = 1.0f / sqrtf((float)s.head_dim);
  blasint ld = (blasint)s.d_model;
  blasint lq = (blasint)s.query_length;
  blasint lk = (blasint)s.key_length;
  blasint hd = (blasint)s.head_dim;
  gemm_use_threads_for(s.query_length * s.key_length * s.head_dim);
  for (int64_t b = 0; b < s.batch; b++) {
    for (int64_t h = 0; h < s.heads; h++) {
      int64_t query_offset = b * s.query_length * s.d_model + h * s.head_dim;
      int64_t key_offset = b * s.key_length * s.d_model + h * s.head_dim;
      const float* p = probabilities + (b * s.heads + h) * s.query_length * s.key_length;
      const float* dc = d_context + query_offset;
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, lk, hd, lq, 1.0f, p, lk, dc, ld, 0.0f, d_values + key_offset, ld);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, lq, lk, hd, 1.0f, dc, ld, values + key_offset, ld, 0.0f,
                  d_scores, lk);
      for (int64_t i = 0; i < s.query_length; i++) {
        float* d_row = d_scores + i * s.key_length;
        const float* p_row = p + i * s.key_length;
        float total = dot_of(d_row, p_row, s.key_length);
        for (int64_t j = 0; j < s.key_length; j++) d_row[j] = p_row[j] * (d_row[j] - total) * scale;
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, lq, hd, lk, 1.0f, d_scores, lk, keys + key_offset, ld, 0.0f,
                  d_queries + query_offset, ld);
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, lk, hd, lq, 1.0f, d_scores, lk, queries + query_offset, ld,
                  0.0f, d_keys + key_offset, ld);
    }
  }
  free(d_scores);
  return NULL;
}
