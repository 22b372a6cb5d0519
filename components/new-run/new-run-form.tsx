"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import type { DatasetSummary } from "../../lib/queries/list-datasets";
import type { PresetOption, StrategyOption } from "./form-options";
import { defaultParamValues, StrategyParamInputs, toStrategyParams } from "./strategy-param-inputs";

const DEFAULT_PRESET = "tiny";
const DEFAULT_SEED = "1";

interface ApiErrorBody {
  error?: { message?: string; issues?: { path: string; message: string }[] };
}

/** Returns undefined for an empty field, the number it contains, or the text itself for the API to reject. */
function parseNumberField(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  return Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed;
}

/**
 * Returns a field error for each number input of the form that contains text the browser cannot read
 * as a number ("e", "--7"), keyed by the input's name. The browser reports such an input's value
 * as "", which would otherwise be sent as an empty field and silently take the default.
 */
function unreadableNumberFields(form: HTMLFormElement): Record<string, string> {
  const inputs = [...form.querySelectorAll<HTMLInputElement>("input[type=number]")];
  return Object.fromEntries(
    inputs
      .filter((input) => input.validity.badInput)
      .map((input) => {
        const example = input.step === "1" ? "10" : "0.5";
        return [input.name, `${input.labels?.[0]?.textContent ?? input.name} must be a number, such as ${example}`];
      }),
  );
}

function FieldError({ message }: { message: string | undefined }) {
  return message ? <span className="field-error" role="alert">{message}</span> : null;
}

/**
 * Renders the new-run form. The API does the validation: the form sends what was typed, shows
 * each field issue of an error response beside its input, and shows the message above the button.
 * Only number fields holding text the browser cannot read are rejected here, since the browser
 * hides that text from the page.
 */
export function NewRunForm({ datasets, strategies, presets }: {
  datasets: DatasetSummary[];
  strategies: StrategyOption[];
  presets: PresetOption[];
}) {
  const router = useRouter();
  const [datasetId, setDatasetId] = useState(datasets[0] ? String(datasets[0].id) : "");
  const [strategy, setStrategy] = useState(strategies[0].name);
  const [paramValues, setParamValues] = useState(() => defaultParamValues(strategies[0].params));
  const [preset, setPreset] = useState(presets.some((option) => option.name === DEFAULT_PRESET) ? DEFAULT_PRESET : presets[0].name);
  const [epochs, setEpochs] = useState("");
  const [seed, setSeed] = useState(DEFAULT_SEED);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  // Until React has hydrated the form, a click would submit it natively as a GET to this page.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  const strategyOption = strategies.find((option) => option.name === strategy) ?? strategies[0];
  const presetOption = presets.find((option) => option.name === preset) ?? presets[0];

  const chooseStrategy = (name: string) => {
    setStrategy(name);
    setParamValues(defaultParamValues(strategies.find((option) => option.name === name)?.params ?? []));
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const unreadable = unreadableNumberFields(event.currentTarget);
    if (Object.keys(unreadable).length > 0) {
      setFieldErrors(unreadable);
      setFormError(`Not launched: ${Object.values(unreadable).join("; ")}.`);
      return;
    }
    setSubmitting(true);
    setFieldErrors({});
    setFormError(null);
    const body = {
      datasetId: parseNumberField(datasetId),
      strategy,
      strategyParams: toStrategyParams(strategyOption.params, paramValues),
      preset,
      epochs: parseNumberField(epochs),
      seed: parseNumberField(seed),
    };
    try {
      const response = await fetch("/api/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const responseBody = (await response.json().catch(() => ({}))) as ApiErrorBody & { run?: { id: number } };
      if (response.ok && responseBody.run) {
        router.push(`/runs/${responseBody.run.id}`);
        return;
      }
      const issues = responseBody.error?.issues ?? [];
      setFieldErrors(Object.fromEntries(issues.map((issue) => [issue.path, issue.message])));
      setFormError(responseBody.error?.message ?? `The server returned HTTP ${response.status}.`);
    } catch (thrown) {
      setFormError(`Could not reach the server: ${(thrown as Error).message}`);
    }
    setSubmitting(false);
  };

  const fieldClass = (name: string) => (fieldErrors[name] ? "field invalid" : "field");

  return (
    <form className="run-form panel" onSubmit={submit} noValidate data-testid="new-run-form">
      <div className={fieldClass("datasetId")}>
        <label htmlFor="datasetId">Dataset</label>
        <select id="datasetId" value={datasetId} onChange={(event) => setDatasetId(event.target.value)}>
          {datasets.map((dataset) => (
            <option key={dataset.id} value={dataset.id}>
              {dataset.name} ({dataset.counts.clean} clean + {dataset.counts.noisy} noisy pairs)
            </option>
          ))}
        </select>
        <FieldError message={fieldErrors.datasetId} />
      </div>

      <div className={fieldClass("strategy")}>
        <label htmlFor="strategy">Strategy</label>
        <select id="strategy" value={strategy} onChange={(event) => chooseStrategy(event.target.value)}>
          {strategies.map((option) => <option key={option.name} value={option.name}>{option.name}</option>)}
        </select>
        <span className="help" data-testid="strategy-description">{strategyOption.description}</span>
        <FieldError message={fieldErrors.strategy} />
      </div>

      <fieldset>
        <legend>Strategy parameters</legend>
        <StrategyParamInputs
          strategy={strategy}
          fields={strategyOption.params}
          values={paramValues}
          errors={fieldErrors}
          onChange={(name, value) => setParamValues((current) => ({ ...current, [name]: value }))}
        />
        <FieldError message={fieldErrors.strategyParams} />
      </fieldset>

      <div className={fieldClass("preset")}>
        <label htmlFor="preset">Preset</label>
        <select id="preset" value={preset} onChange={(event) => setPreset(event.target.value)}>
          {presets.map((option) => <option key={option.name} value={option.name}>{option.name}: {option.summary}</option>)}
        </select>
        <span className="help">Model size and training schedule.</span>
        <FieldError message={fieldErrors.preset} />
      </div>

      <div className={fieldClass("epochs")}>
        <label htmlFor="epochs">Epochs</label>
        <input id="epochs" name="epochs" type="number" min={1} step={1} value={epochs} placeholder={String(presetOption.epochs)} onChange={(event) => setEpochs(event.target.value)} />
        <span className="help">Passes over the training pairs. Empty uses the preset&apos;s {presetOption.epochs}.</span>
        <FieldError message={fieldErrors.epochs} />
      </div>

      <div className={fieldClass("seed")}>
        <label htmlFor="seed">Seed</label>
        <input id="seed" name="seed" type="number" min={0} step={1} value={seed} onChange={(event) => setSeed(event.target.value)} />
        <span className="help">Seeds weight initialisation and batch order; runs with equal seeds are comparable.</span>
        <FieldError message={fieldErrors.seed} />
      </div>

      {formError ? <p className="form-error" role="alert" data-testid="form-error">{formError}</p> : null}
      <div>
        <button type="submit" disabled={!hydrated || submitting || datasets.length === 0}>
          {submitting ? "Launching…" : "Launch run"}
        </button>
      </div>
    </form>
  );
}
