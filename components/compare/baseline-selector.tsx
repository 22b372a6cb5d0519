"use client";

import type { ChangeEvent } from "react";
import { BASELINE_PARAM } from "./baseline-param";

export interface BaselineOption {
  /** Query value, e.g. `run:12` or `strategy:uniform`. */
  value: string;
  label: string;
}

/**
 * Selects the comparison's baseline with a GET form, so the choice lives in the URL's `baseline`
 * parameter. Changing the selection submits the form, and the button does so without JavaScript.
 */
export function BaselineSelector({ runsParam, options, selected }: { runsParam: string; options: BaselineOption[]; selected: string }) {
  const submit = (event: ChangeEvent<HTMLSelectElement>) => event.currentTarget.form?.requestSubmit();
  return (
    <form method="get" action="/compare" className="field" style={{ display: "flex", alignItems: "center", gap: "0.5rem", marginBottom: "1rem" }}>
      <input type="hidden" name="runs" value={runsParam} />
      <label htmlFor="compare-baseline">Baseline</label>
      <select key={selected} id="compare-baseline" name={BASELINE_PARAM} defaultValue={selected} onChange={submit} data-testid="compare-baseline">
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <button type="submit">Apply</button>
    </form>
  );
}
