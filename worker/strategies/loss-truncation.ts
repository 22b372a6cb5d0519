import { z } from "zod";
import { parseStrategyParams, type strategyParamSchemas } from "../../lib/strategies";
import { linearQuantile } from "./linear-quantile";
import type { SampleWeights, Strategy, StrategyBatch } from "./strategy";

type LossTruncationParams = z.output<(typeof strategyParamSchemas)["loss-truncation"]>;

/** Checkpointed state: the window's noisy losses, oldest first. */
const lossTruncationStateSchema = z.object({ window: z.array(z.number()) }).strict();

/**
 * Drops noisy pairs whose loss is above a running quantile, after warm-up. Kang and Hashimoto,
 * "Improved Natural Language Generation via Loss Truncation", ACL 2020, drop the training
 * examples whose loss is above the (1 - c) quantile of recent losses, after a warm-up that
 * trains on everything. Here only noisy pairs can be dropped, and clean pairs always weigh 1:
 *
 *   w_i = 0 (dropped) if n_i = 1, epoch > warmupEpochs and l_i > q, else 1,
 *
 * where q is the (1 - c) quantile of the last `window` noisy losses seen, by `linearQuantile`
 * (numpy's default linear interpolation). Every noisy loss of every batch enters the window,
 * warm-up epochs included, and the current batch's noisy losses enter it before q is taken. A
 * noisy pair whose loss is NaN or infinite stays out of the window and is dropped after warm-up.
 * With c = 0, q is the window's maximum, so nothing is dropped.
 *
 * `params` is validated with the `loss-truncation` schema of lib/strategies.ts: c from 0 to 0.99
 * (default 0.3), warmupEpochs from 0 to 50 (default 1), window from 16 to 100000 (default 4096).
 * `state` returns the window, so a resumed run drops the same pairs as an uninterrupted one.
 */
export function createLossTruncation(params: unknown): Strategy {
  const { c, warmupEpochs, window } = parseStrategyParams("loss-truncation", params) as LossTruncationParams;
  const recent = new LossWindow(window);

  return {
    name: "loss-truncation",
    weights(batch: StrategyBatch): SampleWeights {
      batch.samples.forEach((sample, row) => {
        if (sample.noisy) recent.push(batch.losses[row]);
      });
      if (batch.epoch <= warmupEpochs) {
        return { weights: batch.samples.map(() => 1), dropped: batch.samples.map(() => false) };
      }

      const threshold = recent.quantile(1 - c);
      // `!(loss <= threshold)` is also true for a NaN loss, which is dropped.
      const dropped = batch.samples.map((sample, row) => sample.noisy && !(batch.losses[row] <= threshold));
      return { weights: dropped.map((isDropped) => (isDropped ? 0 : 1)), dropped };
    },
    state: () => ({ window: recent.values() }),
    restore(state: unknown) {
      const parsed = lossTruncationStateSchema.safeParse(state);
      if (!parsed.success) throw new Error(`invalid loss-truncation state: expected { window: number[] }, got ${JSON.stringify(state)?.slice(0, 200)}`);
      recent.replace(parsed.data.window);
    },
  };
}

/** The last `capacity` finite losses pushed, in a ring buffer. */
class LossWindow {
  private readonly buffer: Float64Array;
  /** Index of the oldest value. */
  private start = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.buffer = new Float64Array(capacity);
  }

  /** Appends `loss`, evicting the oldest value when full. A NaN or infinite loss is skipped. */
  push(loss: number): void {
    if (!Number.isFinite(loss)) return;
    if (this.count < this.capacity) {
      this.buffer[(this.start + this.count) % this.capacity] = loss;
      this.count += 1;
      return;
    }
    this.buffer[this.start] = loss;
    this.start = (this.start + 1) % this.capacity;
  }

  /** Returns the p-quantile of the values held, or NaN when there is none. */
  quantile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const sorted = Float64Array.from(this.values()).sort();
    return linearQuantile(sorted, p);
  }

  /** Returns the values held, oldest first. */
  values(): number[] {
    return Array.from({ length: this.count }, (_, i) => this.buffer[(this.start + i) % this.capacity]);
  }

  /** Replaces the content with `values`, oldest first. Rejects more values than the capacity, or a value that is not finite. */
  replace(values: readonly number[]): void {
    if (values.length > this.capacity) {
      throw new Error(`invalid loss-truncation state: it contains ${values.length} losses, more than window ${this.capacity}. Resume with the window the checkpoint was written with.`);
    }
    const invalid = values.find((value) => !Number.isFinite(value));
    if (invalid !== undefined) throw new Error(`invalid loss-truncation state: loss ${invalid} is not finite`);
    this.buffer.set(values);
    this.start = 0;
    this.count = values.length;
  }
}
