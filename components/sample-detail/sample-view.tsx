import Link from "next/link";
import type { RunSampleDetail } from "../../lib/queries/get-run-sample";
import { formatNumber } from "../shared/format";
import { SampleTraceChart } from "./sample-trace-chart";
import { TokenWeights } from "./token-weights";
import { TranslateSampleButton } from "./translate-sample-button";

function DroppedEpochs({ detail }: { detail: RunSampleDetail }) {
  const dropped = detail.epochs.filter((epoch) => epoch.dropped).map((epoch) => epoch.epoch);
  if (detail.epochs.length === 0) return <p className="muted">The run has not traced this pair yet.</p>;
  return (
    <p data-testid="dropped-epochs">
      {dropped.length === 0 ? "Never dropped." : `Dropped in epoch${dropped.length > 1 ? "s" : ""} ${dropped.join(", ")}.`}
    </p>
  );
}

function EpochTable({ detail }: { detail: RunSampleDetail }) {
  return (
    <div className="table-wrap">
      <table data-testid="sample-epochs-table">
        <thead>
          <tr>
            <th className="num">Epoch</th>
            <th className="num">Loss</th>
            <th className="num">Weight</th>
            <th>Dropped</th>
            <th>Model output</th>
          </tr>
        </thead>
        <tbody>
          {detail.epochs.map((epoch) => (
            <tr key={epoch.epoch} className={epoch.dropped ? "dropped" : undefined} data-testid="sample-epoch-row">
              <td className="num">{epoch.epoch}</td>
              <td className="num">{formatNumber(epoch.loss, 3)}</td>
              <td className="num">{formatNumber(epoch.weight, 3)}</td>
              <td>{epoch.dropped ? "yes" : "no"}</td>
              <td>{epoch.hypothesis ?? <span className="muted">not stored</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Renders the sample page: one training pair of a run with its whole trace, token weights and outputs. */
export function SampleView({ detail }: { detail: RunSampleDetail }) {
  const { run, sample } = detail;
  return (
    <>
      <p><Link href={`/runs/${run.id}?tab=samples`}>← Run #{run.id} samples</Link></p>
      <h1>
        Training pair {sample.idx} of run #{run.id}{" "}
        <span className={sample.noisy ? "badge noisy" : "badge"} data-testid="sample-kind">{sample.noisy ? "noisy" : "clean"}</span>
      </h1>
      <section className="panel">
        <dl className="facts">
          <dt>Source</dt>
          <dd data-testid="sample-source">{sample.src}</dd>
          <dt>Target</dt>
          <dd data-testid="sample-target">{sample.tgt}</dd>
          {sample.noiseKind ? (
            <>
              <dt>Noise kind</dt>
              <dd>{sample.noiseKind}</dd>
            </>
          ) : null}
          <dt>Strategy</dt>
          <dd>{run.strategy}</dd>
        </dl>
      </section>
      {run.latestCheckpointEpoch !== null ? (
        <section className="panel">
          <TranslateSampleButton runId={run.id} source={sample.src} />
        </section>
      ) : (
        <p className="muted">The run has no checkpoint yet, so it cannot translate the source.</p>
      )}

      <h2>Trace</h2>
      <DroppedEpochs detail={detail} />
      {detail.epochs.length > 0 ? (
        <>
          <SampleTraceChart epochs={detail.epochs} />
          <div style={{ marginTop: "1rem" }}>
            <EpochTable detail={detail} />
          </div>
        </>
      ) : null}

      <h2>Token weights</h2>
      <TokenWeights target={sample.tgt} epochs={detail.epochs} pieces={detail.targetPieces} />
    </>
  );
}
