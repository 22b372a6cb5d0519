#include <cblas.h>
#include <stdio.h>

#include "kernels.h"

/* set_threads(count): how many threads OpenBLAS may use for one large product. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t count = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1 || napi_get_value_int32(env, argv[0], &count) != napi_ok || count < 1) {
    napi_throw_error(env, NULL, "winnow native setThreads: expected one positive integer");
    return NULL;
  }
  gemm_set_max_threads(count);
  return NULL;
}

/* describe(): { blas, threads }, for logs and the run's device text. */
static napi_value describe(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_value blas;
  napi_value threads;
  char text[256];
  snprintf(text, sizeof text, "%s", openblas_get_config());
  napi_create_object(env, &result);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &blas);
  napi_create_int32(env, gemm_max_threads(), &threads);
  napi_set_named_property(env, result, "blas", blas);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor functions[] = {
      {"describe", NULL, describe, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"gemmBatched", NULL, gemm_batched, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormForward", NULL, layer_norm_forward, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormBackward", NULL, layer_norm_backward, NULL, NULL, NULL, napi_default, NULL},
      {"crossEntropyForward", NULL, cross_entropy_forward, NULL, NULL, NULL, napi_default, NULL},
      {"crossEntropyBackward", NULL, cross_entropy_backward, NULL, NULL, NULL, napi_default, NULL},
      {"embeddingForward", NULL, embedding_forward, NULL, NULL, NULL, napi_default, NULL},
      {"embeddingBackward", NULL, embedding_backward, NULL, NULL, NULL, napi_default, NULL},
      {"adamStep", NULL, adam_step, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxBackward", NULL, softmax_backward, NULL, NULL, NULL, napi_default, NULL},
      {"linearForward", NULL, linear_forward, NULL, NULL, NULL, napi_default, NULL},
      {"linearBackward", NULL, linear_backward, NULL, NULL, NULL, napi_default, NULL},
      {"attentionForward", NULL, attention_forward, NULL, NULL, NULL, napi_default, NULL},
      {"attentionBackward", NULL, attention_backward, NULL, NULL, NULL, napi_default, NULL},
      {"dropoutForward", NULL, dropout_forward, NULL, NULL, NULL, napi_default, NULL},
      {"dropoutBackward", NULL, dropout_backward, NULL, NULL, NULL, napi_default, NULL},
      {"reluBackward", NULL, relu_backward, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
