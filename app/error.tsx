"use client";

import Link from "next/link";
import { useEffect, useState } from "react";

/** A cheap API route that reads the database, so its error response names the database problem. */
const DIAGNOSIS_URL = "/api/datasets";

/**
 * Returns the message of the API's error response, or null while it loads and when the API
 * works. In production Next.js hides a page's server error behind a digest, but the API returns
 * its errors as JSON, so asking it shows the page the cause, such as a missing migration.
 */
function useApiDiagnosis(): string | null {
  const [diagnosis, setDiagnosis] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    fetch(DIAGNOSIS_URL, { cache: "no-store" })
      .then(async (response) => (response.ok ? null : ((await response.json()) as { error?: { message?: string } }).error?.message ?? null))
      .catch(() => null)
      .then((message) => {
        if (current) setDiagnosis(message);
      });
    return () => {
      current = false;
    };
  }, []);
  return diagnosis;
}

/** Renders in place of a page that failed, most often because the dashboard cannot use its database. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const diagnosis = useApiDiagnosis();
  return (
    <div className="panel" data-testid="error-page">
      <h1>This page could not be loaded</h1>
      {diagnosis ? (
        <p className="form-error" data-testid="error-diagnosis">{diagnosis}</p>
      ) : null}
      <p>The dashboard could not read its data. The usual causes:</p>
      <ul>
        <li>
          The database has no tables yet, or tables of an older version: run <code>npm run migrate</code>.
        </li>
        <li>
          Postgres is not running, or <code>DATABASE_URL</code> is invalid or points at the wrong server: fix it
          and restart the dashboard.
        </li>
      </ul>
      <p className="muted">
        The dashboard&apos;s log has the full error{error.digest ? ` (digest ${error.digest})` : `: ${error.message}`}.
      </p>
      <div className="toolbar">
        <button type="button" onClick={reset}>Try again</button>
        <Link href="/">Back to the runs list</Link>
      </div>
    </div>
  );
}
