import type { SampleTraceRow } from "../../../worker/engine/types";
import type { StrategyBatch, StrategySample, StrategyTools } from "../../../worker/strategies/strategy";

/** One pair of a hand-made batch: id, noisy flag and its loss. */
export interface PairRow {
  sampleId: number;
  noisy: boolean;
  loss: number;
}

/** Builds the batch of `rows` in `epoch`, with losses in row order. */
export function makeBatch(epoch: number, rows: readonly PairRow[], step = 0): StrategyBatch {
  return {
    epoch,
    step,
    samples: rows.map(({ sampleId, noisy }) => ({ sampleId, noisy })),
    losses: Float32Array.from(rows.map((row) => row.loss)),
  };
}

/** Tools that list `samples` and reject any model work, which these strategies must not ask for. */
export function makeTools(samples: readonly StrategySample[]): StrategyTools {
  return {
    samples,
    scoreCurrent: () => {
      throw new Error("scoreCurrent is not available in this test");
    },
    scoreCleanTuned: () => {
      throw new Error("scoreCleanTuned is not available in this test");
    },
  };
}

/** Traces of an epoch in which every pair weighed 1 and had the loss of its row. */
export function makeTraces(rows: readonly PairRow[]): SampleTraceRow[] {
  return rows.map(({ sampleId, loss }) => ({ sampleId, loss, weight: 1, dropped: false }));
}

/** Sends `state` through JSON, as a checkpoint manifest does. */
export function throughJson(state: unknown): unknown {
  return JSON.parse(JSON.stringify(state));
}
