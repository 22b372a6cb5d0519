"use client";

import { useState } from "react";
import type { SampleEpoch } from "../../lib/queries/get-run-sample";
import type { TargetPieces } from "../../lib/queries/target-pieces";
import { WORD_START } from "../../lib/tokenizer/pretokenize";
import { formatNumber } from "../shared/format";

/** Background of a token: white at weight 0 to the accent blue at weight 1 and above. */
function shade(weight: number): string {
  const alpha = Math.max(0, Math.min(1, weight)) * 0.55;
  return `rgba(35, 88, 196, ${alpha.toFixed(3)})`;
}

/** A token's text on the page, and whether a word starts with it. */
interface TokenLabel {
  text: string;
  wordStart: boolean;
  /** Tooltip: the raw piece, or the fallback label. */
  title: string;
}

/**
 * Returns a label per token weight without the tokenizer: the target's words when there is one
 * weight per word plus end-of-sentence, otherwise the token's position. Words match the tokens
 * only when the tokenizer split no word.
 */
export function tokenLabels(target: string, weightCount: number): string[] {
  const words = target.split(/\s+/).filter((word) => word !== "");
  if (words.length + 1 === weightCount) return [...words, "</s>"];
  return Array.from({ length: weightCount }, (_, index) => (index === weightCount - 1 ? "</s>" : `token ${index + 1}`));
}

/**
 * Shows a piece without its word-start marker. A piece that is only the marker shows the marker
 * itself: it starts a word that BPE did not merge with the marker, or it is an extra space.
 */
function pieceLabel(piece: string): TokenLabel {
  const wordStart = piece.startsWith(WORD_START);
  const text = wordStart && piece !== WORD_START ? piece.slice(WORD_START.length) : piece;
  return { text, wordStart, title: piece };
}

/**
 * Labels the weights of one epoch with the target's pieces when their counts agree, else with
 * words or positions, and returns the muted note that names the kind of labels.
 */
function labelTokens(options: { target: string; weights: number[]; epoch: number; pieces: TargetPieces | null }): { labels: TokenLabel[]; note: string } {
  const { target, weights, epoch, pieces } = options;
  if (pieces?.status === "loaded" && pieces.pieces.length === weights.length) {
    return {
      labels: pieces.pieces.map(pieceLabel),
      note: `Subword pieces of the run's tokenizer (epoch ${pieces.checkpointEpoch} checkpoint). A wider gap marks the start of a word.`,
    };
  }

  const labels = tokenLabels(target, weights.length).map((text) => ({ text, wordStart: false, title: text }));
  if (pieces?.status === "loaded") {
    return {
      labels,
      note: `The run's tokenizer splits the target into ${pieces.pieces.length} pieces, but epoch ${epoch} stored ${weights.length} token weights, so tokens are labelled by word or position.`,
    };
  }
  const reason = pieces?.status === "unavailable" ? pieces.reason : "no tokenizer was loaded";
  return { labels, note: `Tokens are labelled by word or position instead of subword pieces because ${reason}.` };
}

/**
 * Shows the token weights of one epoch on the target's subword pieces, with a choice of the epochs
 * that stored them. Without `pieces`, or when their count differs, tokens are labelled by word or position.
 */
export function TokenWeights({ target, epochs, pieces }: { target: string; epochs: SampleEpoch[]; pieces: TargetPieces | null }) {
  const withWeights = epochs.filter((epoch) => epoch.tokenWeights !== null);
  const [chosen, setChosen] = useState(withWeights.at(-1)?.epoch ?? null);
  if (chosen === null) {
    return <p className="muted" data-testid="token-weights-none">This run&apos;s strategy weights whole pairs, so no token weights are stored.</p>;
  }

  const weights = withWeights.find((epoch) => epoch.epoch === chosen)?.tokenWeights ?? [];
  const { labels, note } = labelTokens({ target, weights, epoch: chosen, pieces });
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
          <span
            key={index}
            className={labels[index].wordStart ? "token word-start" : "token"}
            style={{ background: shade(weight) }}
            data-testid="token"
            title={`${labels[index].title}: weight ${weight}`}
          >
            <span className="token-label">{labels[index].text}</span>
            <span className="token-weight">{formatNumber(weight, 2)}</span>
          </span>
        ))}
      </div>
      <p className="muted" data-testid="token-labels-note">{note}</p>
    </div>
  );
}
