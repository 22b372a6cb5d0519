"use client";

import { useState } from "react";
import type { Translations } from "../../lib/translate-request";
import { postTranslation } from "../run-detail/post-translation";

/** Translates the pair's source with the run's newest checkpoint through the translate API. */
export function TranslateSampleButton({ runId, source }: { runId: number; source: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Translations | null>(null);

  const translate = async () => {
    setPending(true);
    setError(null);
    try {
      setResult(await postTranslation(runId, [source]));
    } catch (thrown) {
      setError((thrown as Error).message);
    } finally {
      setPending(false);
    }
  };

  return (
    <div data-testid="translate-sample">
      <button type="button" onClick={translate} disabled={pending}>
        {pending ? "Translating…" : "Translate the source with the newest checkpoint"}
      </button>
      {error ? <p className="error-text" role="alert" data-testid="translate-sample-error">{error}</p> : null}
      {result ? (
        <p>
          <span className="muted">Epoch {result.epoch} checkpoint: </span>
          <span data-testid="translate-sample-output">{result.translations[0] || "(empty)"}</span>
        </p>
      ) : null}
    </div>
  );
}
