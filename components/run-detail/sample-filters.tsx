"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import {
  DEFAULT_RUN_SAMPLE_QUERY,
  NOISE_FILTERS,
  SAMPLE_SORTS,
  SAMPLE_VIEWS,
  samplesTabHref,
  type RunSampleQuery,
} from "../../lib/queries/run-sample-query";

const NOISE_LABELS: Record<(typeof NOISE_FILTERS)[number], string> = { all: "All pairs", noisy: "Noisy only", clean: "Clean only" };
const VIEW_LABELS: Record<(typeof SAMPLE_VIEWS)[number], string> = {
  all: "Any weight",
  "down-weighted": "Most down-weighted (weight below 1)",
  dropped: "Dropped at epoch",
};
const SORT_LABELS: Record<(typeof SAMPLE_SORTS)[number], string> = {
  index: "Dataset order",
  loss: "Loss",
  weight: "Weight",
  "weight-change": "Weight change",
};

/** Form values as typed; numbers stay text until the server parses the URL. */
interface FilterForm {
  noise: string;
  view: string;
  droppedEpoch: string;
  minWeight: string;
  maxWeight: string;
  sort: string;
  order: string;
}

function toForm(query: RunSampleQuery, lastEpoch: number | null): FilterForm {
  return {
    noise: query.noise,
    view: query.view,
    droppedEpoch: String(query.droppedEpoch ?? lastEpoch ?? 1),
    minWeight: query.minWeight === undefined ? "" : String(query.minWeight),
    maxWeight: query.maxWeight === undefined ? "" : String(query.maxWeight),
    sort: query.sort,
    order: query.order,
  };
}

/** Turns the form into URL parameters, leaving out blank fields and the defaults. */
function formParams(form: FilterForm, pageSize: number): URLSearchParams {
  const params = new URLSearchParams();
  const fields: [keyof RunSampleQuery, string][] = [
    ["noise", form.noise],
    ["view", form.view],
    ["droppedEpoch", form.view === "dropped" ? form.droppedEpoch : ""],
    ["minWeight", form.minWeight],
    ["maxWeight", form.maxWeight],
    ["sort", form.sort],
    ["order", form.order],
    ["pageSize", String(pageSize)],
  ];
  for (const [name, value] of fields) {
    const text = value.trim();
    if (text !== "" && text !== String(DEFAULT_RUN_SAMPLE_QUERY[name])) params.set(name, text);
  }
  return params;
}

/**
 * Lets the user filter and sort the samples tab. Applying moves to a new URL, so the server
 * runs the query and the filtered view can be bookmarked; invalid numbers are reported there.
 */
export function SampleFilters({ runId, query, lastEpoch }: { runId: number; query: RunSampleQuery; lastEpoch: number | null }) {
  const router = useRouter();
  const [form, setForm] = useState(() => toForm(query, lastEpoch));
  const [pending, startTransition] = useTransition();
  const set = (name: keyof FilterForm) => (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value });

  // Choosing "most down-weighted" also sorts the lowest weights first, which that view is for.
  const setView = (event: { target: { value: string } }) => {
    const view = event.target.value;
    setForm(view === "down-weighted" ? { ...form, view, sort: "weight", order: "asc" } : { ...form, view });
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    startTransition(() => router.push(samplesTabHref(runId, formParams(form, query.pageSize))));
  };

  return (
    <form className="sample-filters panel" onSubmit={apply} data-testid="sample-filters">
      <div className="field">
        <label htmlFor="filter-noise">Pairs</label>
        <select id="filter-noise" value={form.noise} onChange={set("noise")}>
          {NOISE_FILTERS.map((value) => <option key={value} value={value}>{NOISE_LABELS[value]}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-view">Show</label>
        <select id="filter-view" value={form.view} onChange={setView}>
          {SAMPLE_VIEWS.map((value) => <option key={value} value={value}>{VIEW_LABELS[value]}</option>)}
        </select>
      </div>
      {form.view === "dropped" ? (
        <div className="field">
          <label htmlFor="filter-dropped-epoch">Dropped epoch</label>
          <input id="filter-dropped-epoch" inputMode="numeric" value={form.droppedEpoch} onChange={set("droppedEpoch")} />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor="filter-min-weight">Min weight</label>
        <input id="filter-min-weight" inputMode="decimal" value={form.minWeight} onChange={set("minWeight")} placeholder="0" />
      </div>
      <div className="field">
        <label htmlFor="filter-max-weight">Max weight</label>
        <input id="filter-max-weight" inputMode="decimal" value={form.maxWeight} onChange={set("maxWeight")} placeholder="any" />
      </div>
      <div className="field">
        <label htmlFor="filter-sort">Sort by</label>
        <select id="filter-sort" value={form.sort} onChange={set("sort")}>
          {SAMPLE_SORTS.map((value) => <option key={value} value={value}>{SORT_LABELS[value]}</option>)}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-order">Order</label>
        <select id="filter-order" value={form.order} onChange={set("order")}>
          <option value="asc">Ascending</option>
          <option value="desc">Descending</option>
        </select>
      </div>
      <button type="submit" disabled={pending}>{pending ? "Loading…" : "Apply"}</button>
    </form>
  );
}
