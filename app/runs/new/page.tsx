import { presetOptions, strategyOptions } from "../../../components/new-run/form-options";
import { NewRunForm } from "../../../components/new-run/new-run-form";
import { listDatasets } from "../../../lib/queries/list-datasets";

export const dynamic = "force-dynamic";

export default async function NewRunPage() {
  const datasets = await listDatasets();
  return (
    <>
      <h1>New run</h1>
      {datasets.length === 0 ? (
        <p className="panel">
          No dataset yet. Import one first, for example <code>npm run import -- --preset micro</code>.
        </p>
      ) : null}
      <NewRunForm datasets={datasets} strategies={strategyOptions()} presets={presetOptions()} />
    </>
  );
}
