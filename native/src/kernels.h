/* N-API entry points of the native kernels; each file under src/ defines the ones it names. */
#ifndef WINNOW_KERNELS_H
#define WINNOW_KERNELS_H

#include "args.h"

/* Threads OpenBLAS may use for a large product; smaller ones run on one thread. */
void gemm_set_max_threads(int count);
int gemm_max_threads(void);
/* Sets OpenBLAS to one thread or to the maximum, by the size of the next product. */
void gemm_use_threads_for(int64_t multiply_adds);

napi_value gemm_batched(napi_env env, napi_callback_info info);
napi_value layer_norm_forward(napi_env env, napi_callback_info info);
napi_value layer_norm_backward(napi_env env, napi_callback_info info);
napi_value cross_entropy_forward(napi_env env, napi_callback_info info);
napi_value cross_entropy_backward(napi_env env, napi_callback_info info);
napi_value embedding_forward(napi_env env, napi_callback_info info);
napi_value embedding_backward(napi_env env, napi_callback_info info);
napi_value adam_step(napi_env env, napi_callback_info info);
napi_value softmax_backward(napi_env env, napi_callback_info info);
napi_value linear_forward(napi_env env, napi_callback_info info);
napi_value linear_backward(napi_env env, napi_callback_info info);
napi_value attention_forward(napi_env env, napi_callback_info info);
napi_value attention_backward(napi_env env, napi_callback_info info);
napi_value dropout_forward(napi_env env, napi_callback_info info);
napi_value dropout_backward(napi_env env, napi_callback_info info);
napi_value relu_backward(napi_env env, napi_callback_info info);

#endif
