"use client";

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { RunDetail } from "../../lib/queries/get-run-detail";
import { formatTick } from "../shared/format";

// The Okabe-Ito palette, which stays distinguishable for the common colour-vision deficiencies.
export const LINE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

/** Formats a run's legend entry, for example "#12 fixed-weight (lambda=0.3), seed 1". */
export function describeRun(run: RunDetail): string {
  const params = Object.entries(run.config.strategyParams).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  const paramText = params.length > 0 ? ` (${params.join(", ")})` : "";
  return `#${run.id} ${run.strategy}${paramText}, seed ${run.seed}`;
}

type ChartRow = { epoch: number } & Record<string, number | null>;

/** Builds one row per epoch with a `run<id>` column per run, null where that run has no BLEU for the epoch. */
export function toOverlayRows(runs: RunDetail[]): ChartRow[] {
  const epochs = [...new Set(runs.flatMap((run) => run.epochs.map((entry) => entry.epoch)))].sort((a, b) => a - b);
  return epochs.map((epoch) => {
    const row: ChartRow = { epoch };
    for (const run of runs) {
      row[`run${run.id}`] = run.epochs.find((entry) => entry.epoch === epoch)?.validBleu ?? null;
    }
    return row;
  });
}

/** Draws the validation BLEU per epoch of several runs, one line per run. */
export function BleuOverlayChart({ runs }: { runs: RunDetail[] }) {
  const rows = toOverlayRows(runs);
  if (rows.length === 0) return <p className="muted">None of these runs has finished an epoch yet.</p>;
  return (
    <figure className="panel" style={{ margin: 0 }} data-testid="compare-chart">
      <LineChart responsive data={rows} style={{ width: "100%", height: 360 }} margin={{ top: 8, right: 16, bottom: 8, left: 12 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="epoch" allowDecimals={false} label={{ value: "epoch", position: "insideBottomRight", offset: -4 }} />
        <YAxis domain={[0, "auto"]} width={56} tickFormatter={formatTick} label={{ value: "valid BLEU", angle: -90, position: "insideLeft" }} />
        <Tooltip />
        <Legend />
        {runs.map((run, index) => (
          <Line
            key={run.id}
            type="monotone"
            dataKey={`run${run.id}`}
            name={describeRun(run)}
            stroke={LINE_COLORS[index % LINE_COLORS.length]}
            dot
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </figure>
  );
}
