import { notFound } from "next/navigation";
import { RunView } from "../../../components/run-detail/run-view";
import { getRunDetail } from "../../../lib/queries/get-run-detail";
import { parseRunId } from "../../../lib/queries/run-id";
import { listNoisySamples, NOISY_SAMPLES_PAGE_SIZE } from "../../../lib/queries/list-noisy-samples";

export const dynamic = "force-dynamic";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const runId = parseRunId(id);
  if (runId === null) notFound();

  const [run, samples] = await Promise.all([
    getRunDetail(runId),
    listNoisySamples(runId, { page: 1, pageSize: NOISY_SAMPLES_PAGE_SIZE }),
  ]);
  if (!run || !samples) notFound();

  return <RunView initialRun={run} initialSamples={samples} />;
}
