import { notFound } from "next/navigation";
import { SampleView } from "../../../../../components/sample-detail/sample-view";
import { WinnowError } from "../../../../../lib/errors";
import { getRunSample } from "../../../../../lib/queries/get-run-sample";
import { parseRunId } from "../../../../../lib/queries/run-id";

export const dynamic = "force-dynamic";

export default async function SamplePage({ params }: { params: Promise<{ id: string; sampleId: string }> }) {
  const { id, sampleId } = await params;
  const runId = parseRunId(id);
  // Sample ids are SERIAL like run ids, so the same parser applies.
  const parsedSampleId = parseRunId(sampleId);
  if (runId === null || parsedSampleId === null) notFound();

  const detail = await getRunSample(runId, parsedSampleId).catch((error: unknown) => {
    if (error instanceof WinnowError && error.code === "not_found") notFound();
    throw error;
  });
  return <SampleView detail={detail} />;
}
