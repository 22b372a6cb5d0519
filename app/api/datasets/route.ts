import { listDatasets } from "../../../lib/queries/list-datasets";
import { handleErrors } from "../_lib/http";

export const dynamic = "force-dynamic";

/** Lists datasets with their clean, noisy, validation and test pair counts. */
export async function GET(): Promise<Response> {
  return handleErrors(async () => Response.json({ datasets: await listDatasets() }));
}
