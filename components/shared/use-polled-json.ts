"use client";

import { useCallback, useEffect, useRef, useState } from "react";

export interface PolledJson<T> {
  data: T;
  /** The last failed request's message; cleared by the next success. */
  error: string | null;
  /** Fetches now, whether or not polling is enabled. */
  refresh: () => Promise<void>;
}

export interface PollOptions<T> {
  /** The data for the first `url`, rendered on the server. */
  initial: T;
  intervalMs: number;
  /** Whether the data shown so far should be fetched again every `intervalMs`. */
  pollWhile: (data: T) => boolean;
  /** Any value; when it changes, the data is fetched again at once (for example a run's epoch count). */
  refreshKey?: string | number;
}

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: "no-store" });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `GET ${url} failed with HTTP ${response.status}`);
  }
  return body as T;
}

/**
 * Holds the JSON at `url`, starting from `initial`, and fetches it again every `intervalMs` while
 * `pollWhile(data)` is true. A new `url` or `refreshKey` is fetched at once. Only the latest request's answer is
 * kept, so a slow response to an older page never replaces a newer one.
 */
export function usePolledJson<T>(url: string, { initial, intervalMs, pollWhile, refreshKey }: PollOptions<T>): PolledJson<T> {
  const [data, setData] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const shown = useRef({ url, refreshKey });
  const latestRequest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latestRequest.current;
    try {
      const next = await fetchJson<T>(url);
      if (request !== latestRequest.current) return;
      setData(next);
      setError(null);
    } catch (thrown) {
      if (request === latestRequest.current) setError((thrown as Error).message);
    }
  }, [url]);

  useEffect(() => {
    if (shown.current.url === url && shown.current.refreshKey === refreshKey) return;
    shown.current = { url, refreshKey };
    void load();
  }, [url, refreshKey, load]);

  const enabled = pollWhile(data);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const tick = async () => {
      await load();
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    timer = setTimeout(tick, intervalMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [enabled, intervalMs, load]);

  return { data, error, refresh: load };
}
