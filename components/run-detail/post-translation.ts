import type { Translations } from "../../lib/translate-request";

/** Sends sentences to the translate API of a run; throws with the API's error message when it fails. */
export async function postTranslation(runId: number, sentences: string[]): Promise<Translations> {
  const response = await fetch(`/api/runs/${runId}/translate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sentences }),
  });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `Translation failed with HTTP ${response.status}.`);
  }
  return body as Translations;
}
