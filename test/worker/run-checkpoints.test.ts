import { describe, expect, it } from "vitest";
import { checkpointsToRemove, KEPT_CHECKPOINTS, runCheckpointDir } from "../../worker/run-checkpoints";

const checkpoints = (epochs: number[]) => epochs.map((epoch) => ({ epoch, path: `/runs/run-1/epoch-${epoch}` }));

describe("checkpointsToRemove", () => {
  it("keeps the newest two", () => {
    expect(KEPT_CHECKPOINTS).toBe(2);
    expect(checkpointsToRemove(checkpoints([1, 2, 3, 4]), { keep: 2, finalEpoch: 10 })).toEqual(checkpoints([2, 1]));
  });

  it("removes nothing while there are at most two", () => {
    expect(checkpointsToRemove(checkpoints([2, 1]), { keep: 2, finalEpoch: 10 })).toEqual([]);
  });

  it("always keeps the final checkpoint", () => {
    expect(checkpointsToRemove(checkpoints([1, 2, 3]), { keep: 0, finalEpoch: 3 })).toEqual(checkpoints([2, 1]));
  });
});

describe("runCheckpointDir", () => {
  it("separates runs that share an id", () => {
    const first = runCheckpointDir({ id: 1, createdAt: new Date(1_000) });
    const second = runCheckpointDir({ id: 1, createdAt: new Date(2_000) });

    expect(first).not.toBe(second);
    expect(first.endsWith("run-1-1000")).toBe(true);
  });
});
