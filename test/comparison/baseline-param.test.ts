import { describe, expect, it } from "vitest";
import { formatBaselineParam, parseBaselineParam } from "../../components/compare/baseline-param";

describe("parseBaselineParam", () => {
  it("reads a run baseline", () => {
    expect(parseBaselineParam("run:12")).toEqual({ kind: "run", runId: 12 });
  });

  it("reads a strategy group key", () => {
    expect(parseBaselineParam("strategy:fixed-weight (lambda=0.3)")).toEqual({ kind: "strategy", strategy: "fixed-weight (lambda=0.3)" });
  });

  it("returns null without a value", () => {
    expect(parseBaselineParam(undefined)).toBeNull();
    expect(parseBaselineParam("")).toBeNull();
  });

  it("names a malformed value", () => {
    expect(parseBaselineParam("run:abc")).toEqual({ error: 'invalid baseline "run:abc": expected run:<run id> or strategy:<strategy>' });
    expect(parseBaselineParam("strategy:")).toEqual({ error: 'invalid baseline "strategy:": expected run:<run id> or strategy:<strategy>' });
  });

  it("reads what it formats", () => {
    for (const baseline of [{ kind: "run", runId: 7 }, { kind: "strategy", strategy: "tagged" }] as const) {
      expect(parseBaselineParam(formatBaselineParam(baseline))).toEqual(baseline);
    }
  });
});
