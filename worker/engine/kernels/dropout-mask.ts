import type { Random } from "../random";
import { nativeAddonInUse } from "./native-kernels";

/**
 * Fills an inverted-dropout mask natively: `scale` where `random.next() < keep`, else 0, drawing
 * one number per element and advancing `random` exactly as the JavaScript loop in
 * layers/dropout.ts does, so both give the same mask. Returns false, leaving `mask` and `random`
 * untouched, when the native kernels are not in use.
 */
export function fillDropoutMaskNatively(mask: Float32Array, random: Random, keep: number, scale: number): boolean {
  const addon = nativeAddonInUse();
  if (addon === null) return false;
  const { words, spareNormal } = random.state();
  const state = Uint32Array.from(words);
  addon.dropoutMask(mask, state, keep, scale);
  random.restore({ words: [state[0], state[1], state[2], state[3]], spareNormal });
  return true;
}
