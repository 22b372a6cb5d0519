"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Refreshes the server-rendered page every `intervalMs` while `active`, so a comparison of runs
 * that are still queued or training shows their new epochs and status without a reload.
 */
export function RefreshWhileActive({ active, intervalMs }: { active: boolean; intervalMs: number }) {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);

  if (!active) return null;
  return (
    <p className="muted" data-testid="compare-refreshing">
      Refreshing every {intervalMs / 1000} s while runs are queued or running.
    </p>
  );
}
