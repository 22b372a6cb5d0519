"use client";

import { useState } from "react";
import type { NoisySamplePage } from "../../lib/queries/list-noisy-samples";
import { formatNumber } from "../shared/format";
import { usePolledJson } from "../shared/use-polled-json";

/**
 * Renders the noisy training pairs of the run's dataset with their latest weight and loss, one
 * page at a time from the API. A new `refreshKey` (the run finished another epoch) loads the page again.
 */
export function NoisySamplesTable({ runId, initialPage, refreshKey }: {
  runId: number;
  initialPage: NoisySamplePage;
  refreshKey: string;
}) {
  const [page, setPage] = useState(initialPage.page);
  const url = `/api/runs/${runId}/samples?page=${page}&pageSize=${initialPage.pageSize}`;
  const { data, error } = usePolledJson<NoisySamplePage>(url, {
    initial: initialPage,
    intervalMs: 0,
    pollWhile: () => false,
    refreshKey,
  });
  const pageCount = Math.max(1, Math.ceil(data.total / data.pageSize));

  if (data.total === 0) return <p className="muted">This dataset has no noisy training pairs.</p>;

  return (
    <>
      {error ? <p className="error-text">Loading samples failed: {error}</p> : null}
      <div className="table-wrap">
        <table data-testid="noisy-samples-table">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Source</th>
              <th>Target</th>
              <th className="num">Latest weight</th>
              <th className="num">Latest loss</th>
              <th className="num">Epoch</th>
            </tr>
          </thead>
          <tbody>
            {data.samples.map((sample) => (
              <tr key={sample.sampleId} className={sample.dropped ? "dropped" : undefined} data-testid="noisy-sample-row">
                <td className="num">{sample.idx}</td>
                <td>{sample.src}</td>
                <td>{sample.tgt}</td>
                <td className="num" data-testid="sample-weight">
                  {formatNumber(sample.weight, 3)}
                  {sample.dropped ? <span className="muted"> dropped</span> : null}
                </td>
                <td className="num" data-testid="sample-loss">{formatNumber(sample.loss, 3)}</td>
                <td className="num">{sample.epoch ?? "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="pager">
        <button type="button" className="secondary" disabled={data.page <= 1} onClick={() => setPage(data.page - 1)}>
          Previous
        </button>
        <span data-testid="samples-page">Page {data.page} of {pageCount} ({data.total} noisy pairs)</span>
        <button type="button" className="secondary" disabled={data.page >= pageCount} onClick={() => setPage(data.page + 1)}>
          Next
        </button>
      </div>
    </>
  );
}
