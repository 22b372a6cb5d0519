import { listRuns } from "../lib/queries/list-runs";
import { RunsTable } from "../components/runs-list/runs-table";

export const dynamic = "force-dynamic";

export default async function RunsPage() {
  const runs = await listRuns();
  return (
    <>
      <h1>Runs</h1>
      <RunsTable initialRuns={runs} />
    </>
  );
}
