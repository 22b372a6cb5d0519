import { notFound } from "next/navigation";
import { RunView, type RunTab } from "../../../components/run-detail/run-view";
import { SamplesTab } from "../../../components/run-detail/samples-tab";
import { getRunDetail } from "../../../lib/queries/get-run-detail";
import { listRunSamples } from "../../../lib/queries/list-run-samples";
import { parseRunId } from "../../../lib/queries/run-id";
import { runSampleQuerySchema, sampleQueryParams } from "../../../lib/queries/run-sample-query";
import { loadWeightHistogram } from "../../../lib/queries/weight-histogram";
import { listParseProblems } from "../../../lib/zod-issues";

export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;

/** Loads the samples tab: the page of pairs the URL asks for and the weight histogram. */
async function renderSamplesTab(runId: number, searchParams: SearchParams) {
  const parsed = runSampleQuerySchema.safeParse(sampleQueryParams(searchParams));
  if (!parsed.success) {
    const problems = listParseProblems(parsed.error).map((problem) => `${problem.path.join(".")}: ${problem.message}`);
    return <SamplesTab runId={runId} queryProblems={problems} />;
  }
  const [page, histogram] = await Promise.all([listRunSamples(runId, parsed.data), loadWeightHistogram(runId)]);
  if (!page) notFound();
  return <SamplesTab runId={runId} page={page} histogram={histogram} />;
}

export default async function RunPage({ params, searchParams }: {
  params: Promise<{ id: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const { id } = await params;
  const runId = parseRunId(id);
  if (runId === null) notFound();

  const query = await searchParams;
  const tab: RunTab = query.tab === "samples" ? "samples" : "overview";
  const run = await getRunDetail(runId);
  if (!run) notFound();

  return (
    <RunView initialRun={run} tab={tab}>
      {tab === "samples" ? await renderSamplesTab(runId, query) : null}
    </RunView>
  );
}
