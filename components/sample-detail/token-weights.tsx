"use client";

import { useState } from "react";
import type { SampleEpoch } from "../../lib/queries/get-run-sample";
import { formatNumber } from "../shared/format";

/** Background of a token: white at weight 0 to the accent blue at weight 1 and above. */
function shade(weight: number): string {
  const alpha = Math.max(0, Math.min(1, weight)) * 0.55;
  return `rgba(35, 88, 196, ${alpha.toFixed(3)})`;
}

/**
 * Returns a label per token weight: the target's words when there is one weight per word plus
 * end-of-sentence, otherwise the token's position.
 * NOTE: the weights are per subword token of the run's tokenizer, which lives in the worker, so
 * the dashboard cannot split the target the same way; words match only when no word was split.
 */
export function tokenLabels(target: string, weightCount: number): string[] {
  const words = target.split(/\s+/).filter((word) => word !== "");
  if (words.length + 1 === weightCount) return [...words, "</s>"];
  return Array.from({ length: weightCount }, (_, index) => (index === weightCount - 1 ? "</s>" : `token ${index + 1}`));
}

/** Shows the token weights of one epoch on the target, with a choice of the epochs that stored them. */
export function TokenWeights({ target, epochs }: { target: string; epochs: SampleEpoch[] }) {
  const withWeights = epochs.filter((epoch) => epoch.tokenWeights !== null);
  const [chosen, setChosen] = useState(withWeights.at(-1)?.epoch ?? null);
  if (chosen === null) {
    return <p className="muted" data-testid="token-weights-none">This run&apos;s strategy weights whole pairs, so no token weights are stored.</p>;
  }

  const weights = withWeights.find((epoch) => epoch.epoch === chosen)?.tokenWeights ?? [];
  const labels = tokenLabels(target, weights.length);
  return (
    <div data-testid="token-weights">
      <div className="toolbar">
        <label htmlFor="token-weights-epoch">Epoch</label>
        <select id="token-weights-epoch" value={chosen} onChange={(event) => setChosen(Number(event.target.value))}>
          {withWeights.map((epoch) => <option key={epoch.epoch} value={epoch.epoch}>{epoch.epoch}</option>)}
        </select>
      </div>
      <div className="token-weights">
        {weights.map((weight, index) => (
          <span key={index} className="token" style={{ background: shade(weight) }} data-testid="token" title={`weight ${weight}`}>
            <span>{labels[index]}</span>
            <span className="token-weight">{formatNumber(weight, 2)}</span>
          </span>
        ))}
      </div>
    </div>
  );
}
