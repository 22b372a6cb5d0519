import { describe, expect, it } from "vitest";
import { createStudyProgress, formatDuration } from "../../scripts/lib/study-progress";

describe("createStudyProgress", () => {
  it("estimates the time left from the training rate", () => {
    let now = 0;
    const format = createStudyProgress(2, () => now);

    format([{ id: 1, status: "running", progress: 0 }, { id: 2, status: "queued", progress: 0 }]);
    now = 60_000;
    const line = format([{ id: 1, status: "running", progress: 0.5 }, { id: 2, status: "queued", progress: 0 }]);

    expect(line).toBe("progress: 0/2 runs done, 1 running, 1 queued; 25% of training; ETA 3 min");
  });

  it("counts failed runs as done", () => {
    const line = createStudyProgress(2)([{ id: 1, status: "failed", progress: 0.2 }, { id: 2, status: "completed", progress: 1 }]);

    expect(line).toBe("progress: 2/2 runs done (1 failed or cancelled), 0 running, 0 queued; 100% of training; ETA unknown until training progresses");
  });

  it("keeps its line until a whole percent passes", () => {
    let now = 0;
    const format = createStudyProgress(1, () => now);
    const first = format([{ id: 1, status: "running", progress: 0.101 }]);
    now = 1000;

    expect(format([{ id: 1, status: "running", progress: 0.109 }])).toBe(first);
  });
});

describe("formatDuration", () => {
  it.each([
    [42, "42 s"],
    [720, "12 min"],
    [3 * 3600 + 5 * 60, "3 h 05 min"],
  ])("formats %d seconds as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
