"use client";

import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import type { WeightHistogram } from "../../lib/queries/weight-histogram";
import { formatTick } from "../shared/format";

const CHART_HEIGHT = 220;

/**
 * Draws the weights of clean and noisy training pairs in one epoch as side-by-side bars, with a
 * slider that picks the epoch. It starts at the newest epoch.
 */
export function WeightHistogramChart({ histogram }: { histogram: WeightHistogram }) {
  const epochs = histogram.epochs;
  const [position, setPosition] = useState(epochs.length - 1);
  if (epochs.length === 0) return <p className="muted">No epoch has been traced yet.</p>;

  const shown = epochs[Math.min(position, epochs.length - 1)];
  const data = shown.bins.map((bin) => ({ ...bin, range: `${formatTick(bin.from)}–${formatTick(bin.to)}` }));
  const totals = shown.bins.reduce((sum, bin) => ({ clean: sum.clean + bin.clean, noisy: sum.noisy + bin.noisy }), { clean: 0, noisy: 0 });

  return (
    <figure className="chart panel" data-testid="weight-histogram" style={{ margin: 0 }}>
      <h3>Weights in epoch <span data-testid="histogram-epoch">{shown.epoch}</span></h3>
      <div className="toolbar">
        <label htmlFor="histogram-epoch-slider">Epoch</label>
        <input
          id="histogram-epoch-slider"
          type="range"
          min={0}
          max={epochs.length - 1}
          step={1}
          value={Math.min(position, epochs.length - 1)}
          onChange={(event) => setPosition(Number(event.target.value))}
          aria-valuetext={`epoch ${shown.epoch}`}
        />
        <span className="muted" data-testid="histogram-totals">
          {totals.clean} clean, {totals.noisy} noisy pairs
        </span>
      </div>
      <BarChart responsive data={data} style={{ width: "100%", height: CHART_HEIGHT }} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="range" interval="preserveStartEnd" />
        <YAxis allowDecimals={false} width={48} />
        <Tooltip />
        <Legend />
        <Bar dataKey="clean" name="clean" fill="#1b7f3b" isAnimationActive={false} />
        <Bar dataKey="noisy" name="noisy" fill="#9a6700" isAnimationActive={false} />
      </BarChart>
    </figure>
  );
}
