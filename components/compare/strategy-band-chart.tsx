"use client";

import { useState } from "react";
import { Area, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from "recharts";
import type { EpochBand } from "../../lib/comparison/types";
import { formatTick } from "../shared/format";
import { LINE_COLORS } from "./bleu-overlay-chart";

/** Spread that the band around each strategy's mean curve shows. */
type BandKind = "range" | "std";

export interface StrategyCurve {
  groupKey: string;
  bands: EpochBand[];
}

type BandRow = { epoch: number } & Record<string, number | [number, number] | null>;

/**
 * Builds one row per epoch with three columns per strategy i: `mean<i>`, `range<i>` as [min, max]
 * and `std<i>` as [mean - std, mean + std]. A single seed's std band collapses onto its mean, and a
 * strategy without a value at that epoch gets nulls.
 */
export function toBandRows(curves: readonly StrategyCurve[]): BandRow[] {
  const epochs = [...new Set(curves.flatMap((curve) => curve.bands.map((band) => band.epoch)))].sort((a, b) => a - b);
  return epochs.map((epoch) => {
    const row: BandRow = { epoch };
    curves.forEach((curve, index) => {
      const band = curve.bands.find((entry) => entry.epoch === epoch);
      const std = band?.std ?? 0;
      row[`mean${index}`] = band?.mean ?? null;
      row[`range${index}`] = band ? [band.min, band.max] : null;
      row[`std${index}`] = band ? [band.mean - std, band.mean + std] : null;
    });
    return row;
  });
}

/** Draws each strategy's mean validation BLEU per epoch over its seeds, in a min-max or ±1 std band. */
export function StrategyBandChart({ curves }: { curves: StrategyCurve[] }) {
  const [bandKind, setBandKind] = useState<BandKind>("range");
  const rows = toBandRows(curves);
  if (rows.length === 0) return <p className="muted">No completed run of these strategies has a validation BLEU yet.</p>;

  return (
    <figure className="panel" style={{ margin: 0 }} data-testid="strategy-chart">
      <label className="muted">
        Band{" "}
        <select value={bandKind} onChange={(event) => setBandKind(event.target.value as BandKind)} data-testid="strategy-band-kind">
          <option value="range">min to max over seeds</option>
          <option value="std">mean ± 1 sample std</option>
        </select>
      </label>
      <ComposedChart responsive data={rows} style={{ width: "100%", height: 360 }} margin={{ top: 8, right: 16, bottom: 8, left: 12 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis dataKey="epoch" allowDecimals={false} label={{ value: "epoch", position: "insideBottomRight", offset: -4 }} />
        <YAxis domain={[0, "auto"]} width={56} tickFormatter={formatTick} label={{ value: "valid BLEU", angle: -90, position: "insideLeft" }} />
        <Tooltip />
        <Legend />
        {curves.map((curve, index) => (
          <Area
            key={`band-${curve.groupKey}`}
            type="monotone"
            dataKey={`${bandKind}${index}`}
            name={`${curve.groupKey} ${bandKind === "range" ? "min-max" : "± std"}`}
            legendType="none"
            stroke="none"
            fill={LINE_COLORS[index % LINE_COLORS.length]}
            fillOpacity={0.2}
            connectNulls
            isAnimationActive={false}
          />
        ))}
        {curves.map((curve, index) => (
          <Line
            key={`mean-${curve.groupKey}`}
            type="monotone"
            dataKey={`mean${index}`}
            name={`${curve.groupKey} mean`}
            stroke={LINE_COLORS[index % LINE_COLORS.length]}
            dot
            connectNulls
            isAnimationActive={false}
          />
        ))}
      </ComposedChart>
    </figure>
  );
}
