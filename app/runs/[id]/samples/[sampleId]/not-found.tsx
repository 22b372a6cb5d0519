"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * Fetches the sample API for the same ids and returns its error message, which names whether the
 * run or the sample is missing or invalid; null while it loads or when the request fails.
 */
function useSampleError(runId: string, sampleId: string): string | null {
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    fetch(`/api/runs/${encodeURIComponent(runId)}/samples/${encodeURIComponent(sampleId)}`, { cache: "no-store" })
      .then(async (response) => ((await response.json()) as { error?: { message?: string } }).error?.message ?? null)
      .catch(() => null)
      .then((text) => {
        if (current) setMessage(text);
      });
    return () => {
      current = false;
    };
  }, [runId, sampleId]);
  return message;
}

/** Renders in place of a sample page whose run or sample id is invalid or not found, naming both ids. */
export default function SampleNotFound() {
  const params = useParams<{ id: string; sampleId: string }>();
  const runId = decodeURIComponent(params.id ?? "");
  const sampleId = decodeURIComponent(params.sampleId ?? "");
  const message = useSampleError(runId, sampleId);
  return (
    <div className="panel" data-testid="sample-not-found">
      <h1>Sample not found</h1>
      <p>
        No training pair with sample id &quot;{sampleId}&quot; exists in run &quot;{runId}&quot;.
      </p>
      {message ? <p className="form-error" data-testid="sample-not-found-reason">{message}</p> : null}
      <Link href="/">Back to the runs list</Link>
    </div>
  );
}
