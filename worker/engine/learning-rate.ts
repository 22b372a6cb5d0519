/**
 * Linear warm-up to `peak` over `warmupSteps`, then decay with the inverse square root of the
 * step (Vaswani et al., NeurIPS 2017, with the peak given directly):
 * lr(step) = peak * min(step / warmupSteps, sqrt(warmupSteps / step)), for steps from 1.
 */
export function inverseSqrtLearningRate(options: { step: number; peak: number; warmupSteps: number }): number {
  const { step, peak } = options;
  const warmupSteps = Math.max(1, options.warmupSteps);
  return peak * Math.min(step / warmupSteps, Math.sqrt(warmupSteps / step));
}
