import type { RunSummary } from "../../lib/queries/run-summary";
import { formatParams, formatTimestamp } from "../shared/format";

/** Configuration, backend and timestamps of a run as a definition list. */
export function RunFacts({ run }: { run: RunSummary }) {
  return (
    <dl className="facts" data-testid="run-facts">
      <dt>Dataset</dt>
      <dd>{run.datasetName} (#{run.datasetId})</dd>
      <dt>Strategy</dt>
      <dd data-testid="run-strategy">{run.strategy}</dd>
      <dt>Parameters</dt>
      <dd>{formatParams(run.config.strategyParams)}</dd>
      <dt>Preset</dt>
      <dd data-testid="run-preset">{run.config.preset ?? "–"}</dd>
      <dt>Epochs</dt>
      <dd data-testid="run-epochs">{run.config.epochs ?? "–"}</dd>
      <dt>Seed</dt>
      <dd>{run.seed}</dd>
      <dt>Backend</dt>
      <dd data-testid="run-backend">{run.backend ?? "–"}{run.device ? ` on ${run.device}` : ""}</dd>
      <dt>Created</dt>
      <dd>{formatTimestamp(run.createdAt)}</dd>
      <dt>Started</dt>
      <dd>{formatTimestamp(run.startedAt)}</dd>
      <dt>Finished</dt>
      <dd>{formatTimestamp(run.finishedAt)}</dd>
    </dl>
  );
}
