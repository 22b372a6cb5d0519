"use client";

import { useState } from "react";

/** Asks the API to cancel the run, then calls `onDone` so the page refreshes the run's status. */
export function CancelButton({ runId, onDone }: { runId: number; onDone: () => void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const cancel = async () => {
    setPending(true);
    setError(null);
    try {
      const response = await fetch(`/api/runs/${runId}/cancel`, { method: "POST" });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        setError(body?.error?.message ?? `Cancel failed with HTTP ${response.status}.`);
      }
      onDone();
    } catch (thrown) {
      setError(`Could not reach the server: ${(thrown as Error).message}`);
    }
    setPending(false);
  };

  return (
    <span>
      <button type="button" className="danger" onClick={cancel} disabled={pending} data-testid="cancel-run">
        {pending ? "Cancelling…" : "Cancel run"}
      </button>
      {error ? <span className="error-text"> {error}</span> : null}
    </span>
  );
}
