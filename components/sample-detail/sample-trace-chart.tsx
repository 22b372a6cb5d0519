"use client";

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import type { SampleEpoch } from "../../lib/queries/get-run-sample";
import { formatTick } from "../shared/format";

const CHART_HEIGHT = 240;

/** Draws a pair's loss (left axis) and weight (right axis) per epoch. */
export function SampleTraceChart({ epochs }: { epochs: SampleEpoch[] }) {
  return (
    <figure className="chart panel" data-testid="sample-trace-chart" style={{ margin: 0 }}>
      <h3>Loss and weight per epoch</h3>
      <LineChart responsive data={epochs} style={{ width: "100%", height: CHART_HEIGHT }} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="epoch" allowDecimals={false} label={{ value: "epoch", position: "insideBottomRight", offset: -4 }} />
        <YAxis yAxisId="loss" width={56} tickFormatter={formatTick} />
        <YAxis yAxisId="weight" orientation="right" width={48} domain={[0, "auto"]} tickFormatter={formatTick} />
        <Tooltip />
        <Legend />
        <Line yAxisId="loss" dataKey="loss" name="loss" stroke="#b42318" dot isAnimationActive={false} />
        <Line yAxisId="weight" dataKey="weight" name="weight" stroke="#2358c4" dot isAnimationActive={false} />
      </LineChart>
    </figure>
  );
}
