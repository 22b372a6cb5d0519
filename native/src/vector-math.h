/* Element-wise helpers written so that GCC vectorizes the loops that call them (no branches, no
 * calls into libm), for the softmax and cross-entropy kernels. */
#ifndef WINNOW_VECTOR_MATH_H
#define WINNOW_VECTOR_MATH_H

#include <stdint.h>

/* e^x in float32 to within about 2 ulp: x = n ln2 + r with n the nearest integer to x / ln2, e^r from the degree-7
 * polynomial of the Cephes library's expf, and 2^n built in the exponent bits. Inputs are
 * clamped to [-87.3, 88.7], so very negative scores (masked positions) give about 1e-38, not 0,
 * which is below float32 resolution next to any unmasked score. */
static inline float vector_exp(float x) {
  const float log2e = 1.44269504088896341f;
  const float ln2_high = 0.693359375f;
  const float ln2_low = -2.12194440e-4f;
  x = x < -87.3f ? -87.3f : x;
  x = x > 88.7f ? 88.7f : x;
  /* Adding and subtracting 1.5 * 2^23 rounds to the nearest integer without floorf, which GCC
   * does not vectorize unless trapping math is off. */
  const float round_shift = 12582912.0f;
  float n = (x * log2e + round_shift) - round_shift;
  float r = x - n * ln2_high - n * ln2_low;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  union {
    int32_t bits;
    float value;
  } scale = {.bits = ((int32_t)n + 127) << 23};
  return p * scale.value;
}

/* Independent partial results per lane, so that reductions vectorize without reordering flags. */
#define LANES 16

static inline float max_of(const float* x, int64_t count) {
  float lanes[LANES];
  for (int j = 0; j < LANES; j++) lanes[j] = x[0];
  int64_t i = 0;
  for (; i + LANES <= count; i += LANES) {
    for (int j = 0; j < LANES; j++) lanes[j] = x[i + j] > lanes[j] ? x[i + j] : lanes[j];
  }
  float best = x[0];
  for (int j = 0; j < LANES; j++) best = lanes[j] > best ? lanes[j] : best;
  for (; i < count; i++) best = x[i] > best ? x[i] : best;
  return best;
}

static inline float sum_of(const float* x, int64_t count) {
  float lanes[LANES] = {0};
  int64_t i = 0;
  for (; i + LANES <= count; i += LANES) {
    for (int j = 0; j < LANES; j++) lanes[j] += x[i + j];
  }
  float total = 0;
  for (int j = 0; j < LANES; j++) total += lanes[j];
  for (; i < count; i++) total += x[i];
  return total;
}

/* sum of e^(x - shift) over x. */
static inline float sum_exp_of(const float* x, int64_t count, float shift) {
  float lanes[LANES] = {0};
  int64_t i = 0;
  for (; i + LANES <= count; i += LANES) {
    for (int j = 0; j < LANES; j++) lanes[j] += vector_exp(x[i + j] - shift);
  }
  float total = 0;
  for (int j = 0; j < LANES; j++) total += lanes[j];
  for (; i < count; i++) total += vector_exp(x[i] - shift);
  return total;
}

/* sum of x * y. */
static inline float dot_of(const float* x, const float* y, int64_t count) {
  float lanes[LANES] = {0};
  int64_t i = 0;
  for (; i + LANES <= count; i += LANES) {
    for (int j = 0; j < LANES; j++) lanes[j] += x[i + j] * y[i + j];
  }
  float total = 0;
  for (int j = 0; j < LANES; j++) total += lanes[j];
  for (; i < count; i++) total += x[i] * y[i];
  return total;
}

#endif
