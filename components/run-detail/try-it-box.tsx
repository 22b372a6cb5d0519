"use client";

import { useEffect, useState } from "react";
import { DEFAULT_TRANSLATE_BEAM_SIZE, MAX_TRANSLATE_SENTENCES, type Translations } from "../../lib/translate-request";
import { postTranslation } from "./post-translation";

/** Splits the text box into sentences: one per line that is not blank, without surrounding spaces. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

/** A translated request: its sentences and the API's response. */
interface TranslatedBatch {
  sentences: string[];
  response: Translations;
}

/**
 * Lets the user translate sentences with the run's newest checkpoint through the translate API,
 * where a worker decodes them by beam search.
 */
export function TryItBox({ runId, checkpointEpoch }: { runId: number; checkpointEpoch: number }) {
  // Until React has hydrated, typing would be lost and the button would do nothing.
  const [hydrated, setHydrated] = useState(false);
  const [text, setText] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<TranslatedBatch | null>(null);
  useEffect(() => setHydrated(true), []);

  const sentences = sentencesOf(text);
  const tooMany = sentences.length > MAX_TRANSLATE_SENTENCES;

  const translate = async () => {
    setPending(true);
    setError(null);
    try {
      setResult({ sentences, response: await postTranslation(runId, sentences) });
    } catch (thrown) {
      setError((thrown as Error).message);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="panel try-it" data-testid="try-it">
      <label htmlFor="try-it-input">Sentences to translate, one per line (at most {MAX_TRANSLATE_SENTENCES})</label>
      <textarea
        id="try-it-input"
        rows={3}
        value={text}
        disabled={!hydrated}
        onChange={(event) => setText(event.target.value)}
        placeholder="Ein Mann fährt Fahrrad."
      />
      <div className="toolbar">
        <button type="button" onClick={translate} disabled={!hydrated || pending || sentences.length === 0 || tooMany}>
          {pending ? "Translating…" : "Translate"}
        </button>
        <span className="muted">
          Beam search (beam size {DEFAULT_TRANSLATE_BEAM_SIZE}) with the newest checkpoint, epoch {checkpointEpoch}
        </span>
      </div>
      {tooMany ? <p className="error-text">Remove lines: at most {MAX_TRANSLATE_SENTENCES} sentences at once.</p> : null}
      {error ? <p className="error-text" role="alert" data-testid="try-it-error">{error}</p> : null}
      {result ? <TranslationTable batch={result} /> : null}
    </section>
  );
}

function TranslationTable({ batch }: { batch: TranslatedBatch }) {
  return (
    <div className="table-wrap">
      <table data-testid="try-it-results">
        <caption className="muted">Translated with the checkpoint of epoch {batch.response.epoch}</caption>
        <thead>
          <tr>
            <th>Source</th>
            <th>Translation</th>
          </tr>
        </thead>
        <tbody>
          {batch.sentences.map((sentence, index) => (
            <tr key={index}>
              <td>{sentence}</td>
              <td data-testid="try-it-translation">
                {batch.response.translations[index] || <span className="muted">(empty: the model wrote end-of-sentence first)</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
