"use client";

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { EpochMetrics } from "../../lib/queries/epoch-metrics";
import { formatTick } from "../shared/format";

const CHART_HEIGHT = 240;

interface Series {
  key: keyof EpochMetrics;
  name: string;
  color: string;
}

function EpochChart({ title, testId, epochs, series, yDomain, active }: {
  title: string;
  active: boolean;
  testId: string;
  epochs: EpochMetrics[];
  series: Series[];
  yDomain?: [number | "auto", number | "auto"];
}) {
  return (
    <figure className="chart panel" data-testid={testId} style={{ margin: 0 }}>
      <h3>{title}</h3>
      {epochs.length === 0 ? (
        <p className="muted">{active ? "No epoch finished yet." : "No epoch finished."}</p>
      ) : (
        <LineChart responsive data={epochs} style={{ width: "100%", height: CHART_HEIGHT }} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="epoch" label={{ value: "epoch", position: "insideBottomRight", offset: -4 }} allowDecimals={false} />
          <YAxis domain={yDomain ?? ["auto", "auto"]} width={56} tickFormatter={formatTick} />
          <Tooltip />
          <Legend />
          {series.map((line) => (
            <Line key={line.key} type="monotone" dataKey={line.key} name={line.name} stroke={line.color} dot isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      )}
    </figure>
  );
}

/**
 * Draws training loss, validation BLEU and chrF, and the validation length ratio with brevity
 * penalty, per epoch. `active` is true while more epochs may still come.
 */
export function RunCharts({ epochs, active }: { epochs: EpochMetrics[]; active: boolean }) {
  return (
    <div className="charts">
      <EpochChart title="Training loss" testId="chart-train-loss" active={active} epochs={epochs} series={[{ key: "trainLoss", name: "train loss", color: "#b42318" }]} />
      <EpochChart
        title="Validation BLEU and chrF"
        testId="chart-valid-bleu"
        active={active}
        epochs={epochs}
        yDomain={[0, "auto"]}
        series={[
          { key: "validBleu", name: "BLEU", color: "#2358c4" },
          { key: "validChrf", name: "chrF", color: "#1b7f3b" },
        ]}
      />
      <EpochChart
        title="Length ratio and brevity penalty"
        testId="chart-valid-length"
        active={active}
        epochs={epochs}
        yDomain={[0, "auto"]}
        series={[
          { key: "validLengthRatio", name: "length ratio", color: "#9a6700" },
          { key: "validBp", name: "brevity penalty", color: "#6b4fbb" },
        ]}
      />
    </div>
  );
}
