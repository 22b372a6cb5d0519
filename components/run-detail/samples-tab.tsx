import Link from "next/link";
import type { RunSample, RunSamplePage } from "../../lib/queries/list-run-samples";
import { formatSampleQuery, samplesTabHref } from "../../lib/queries/run-sample-query";
import type { WeightHistogram } from "../../lib/queries/weight-histogram";
import { formatNumber } from "../shared/format";
import { SampleFilters } from "./sample-filters";
import { Sparkline } from "./sparkline";
import { WeightHistogramChart } from "./weight-histogram-chart";

function formatChange(change: number | null): string {
  if (change === null) return "";
  return `${change > 0 ? "+" : ""}${formatNumber(change, 3)}`;
}

function SampleRow({ runId, sample }: { runId: number; sample: RunSample }) {
  const dropped = sample.trace.map((point) => point.dropped);
  return (
    <tr className={sample.dropped ? "dropped" : undefined} data-testid="sample-row" data-sample-id={sample.sampleId}>
      <td className="num">
        <Link href={`/runs/${runId}/samples/${sample.sampleId}`} data-testid="sample-link">{sample.idx}</Link>
      </td>
      <td><span className={sample.noisy ? "badge noisy" : "badge"} data-testid="sample-kind">{sample.noisy ? "noisy" : "clean"}</span></td>
      <td data-testid="sample-src">{sample.src}</td>
      <td>{sample.tgt}</td>
      <td data-testid="sample-output">
        {sample.output ? sample.output.hypothesis || <span className="muted">(empty)</span> : <span className="muted">–</span>}
      </td>
      <td className="num">
        <span data-testid="sample-weight">
          {formatNumber(sample.weight, 3)}
          {sample.dropped ? <span className="muted"> dropped</span> : null}
        </span>
        <div className="muted" data-testid="sample-weight-change">{formatChange(sample.weightChange)}</div>
      </td>
      <td><Sparkline values={sample.trace.map((point) => point.weight)} highlighted={dropped} label="weight" testId="weight-sparkline" /></td>
      <td className="num" data-testid="sample-loss">{formatNumber(sample.loss, 3)}</td>
      <td><Sparkline values={sample.trace.map((point) => point.loss)} highlighted={dropped} label="loss" testId="loss-sparkline" /></td>
    </tr>
  );
}

function Pager({ runId, page }: { runId: number; page: RunSamplePage }) {
  const pageCount = Math.max(1, Math.ceil(page.total / page.pageSize));
  const hrefOf = (number: number) => samplesTabHref(runId, formatSampleQuery({ ...page.query, page: number }));
  return (
    <div className="pager">
      {page.page > 1 ? <Link className="button secondary" href={hrefOf(page.page - 1)}>Previous</Link> : null}
      <span data-testid="samples-page">Page {page.page} of {pageCount} ({page.total} pairs)</span>
      {page.page < pageCount ? <Link className="button secondary" href={hrefOf(page.page + 1)}>Next</Link> : null}
    </div>
  );
}

function SamplesTable({ runId, page }: { runId: number; page: RunSamplePage }) {
  if (page.samples.length === 0) {
    return <p className="muted" data-testid="samples-empty">No training pair matches these filters on this page.</p>;
  }
  return (
    <div className="table-wrap">
      <table data-testid="samples-table">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Kind</th>
            <th>Source</th>
            <th>Target</th>
            <th>Model output</th>
            <th className="num">Weight (change)</th>
            <th>Weight by epoch</th>
            <th className="num">Loss</th>
            <th>Loss by epoch</th>
          </tr>
        </thead>
        <tbody>
          {page.samples.map((sample) => <SampleRow key={sample.sampleId} runId={runId} sample={sample} />)}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Renders the run page's samples tab: filters, the weight histogram, and one server-rendered page of
 * training pairs. `queryProblems` lists the invalid URL parameters instead when there are any.
 */
export function SamplesTab({ runId, page, histogram, queryProblems }: {
  runId: number;
  page?: RunSamplePage;
  histogram?: WeightHistogram;
  queryProblems?: string[];
}) {
  if (queryProblems || !page || !histogram) {
    return (
      <div className="form-error" data-testid="samples-query-error">
        <p>The samples filters in this address are invalid:</p>
        <ul>{(queryProblems ?? []).map((problem) => <li key={problem}>{problem}</li>)}</ul>
        <Link href={`/runs/${runId}?tab=samples`}>Show all pairs</Link>
      </div>
    );
  }
  return (
    <>
      <WeightHistogramChart histogram={histogram} />
      <h2>Training pairs</h2>
      <p className="muted">
        Weight, change since the first traced epoch, and loss are from each pair&apos;s latest epoch. Red dots mark
        epochs in which the pair was dropped; the model output is the newest one stored.
      </p>
      <SampleFilters key={JSON.stringify(page.query)} runId={runId} query={page.query} lastEpoch={page.lastEpoch} />
      <SamplesTable runId={runId} page={page} />
      <Pager runId={runId} page={page} />
    </>
  );
}
