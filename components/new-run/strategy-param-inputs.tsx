import type { ParamField } from "./param-field-specs";

function describeBounds(field: ParamField): string | null {
  if (field.kind !== "number") return null;
  const parts = [
    field.minimum !== null ? `≥ ${field.minimum}` : null,
    field.exclusiveMinimum !== null ? `> ${field.exclusiveMinimum}` : null,
    field.maximum !== null ? `≤ ${field.maximum}` : null,
    field.exclusiveMaximum !== null ? `< ${field.exclusiveMaximum}` : null,
  ].filter((part) => part !== null);
  const kind = field.integer ? "integer" : "number";
  return parts.length > 0 ? `${kind}, ${parts.join(", ")}` : kind;
}

function ParamInput({ field, inputId, value, onChange }: {
  field: ParamField;
  inputId: string;
  value: string;
  onChange: (value: string) => void;
}) {
  if (field.kind === "boolean") {
    return <input id={inputId} type="checkbox" checked={value === "true"} onChange={(event) => onChange(String(event.target.checked))} />;
  }
  if (field.kind === "choice") {
    return (
      <select id={inputId} value={value} onChange={(event) => onChange(event.target.value)}>
        {field.options.map((option) => <option key={option} value={option}>{option}</option>)}
      </select>
    );
  }
  return (
    <input
      id={inputId}
      name={`strategyParams.${field.name}`}
      type="number"
      value={value}
      min={field.minimum ?? undefined}
      max={field.maximum ?? undefined}
      step={field.integer ? 1 : "any"}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

/** Renders the parameter inputs of one strategy, each with its bounds, help text and API error. */
export function StrategyParamInputs({ strategy, fields, values, errors, onChange }: {
  strategy: string;
  fields: ParamField[];
  values: Record<string, string>;
  errors: Record<string, string>;
  onChange: (name: string, value: string) => void;
}) {
  if (fields.length === 0) {
    return <p className="muted" data-testid="no-strategy-params">{strategy} has no parameters.</p>;
  }
  return (
    <>
      {fields.map((field) => {
        const inputId = `param-${field.name}`;
        const error = errors[`strategyParams.${field.name}`];
        return (
          <div key={field.name} className={error ? "field invalid" : "field"}>
            <label htmlFor={inputId}>{field.name}</label>
            <ParamInput field={field} inputId={inputId} value={values[field.name] ?? ""} onChange={(value) => onChange(field.name, value)} />
            <span className="help">
              {field.description}
              {describeBounds(field) ? ` (${describeBounds(field)})` : ""}
            </span>
            {error ? <span className="field-error" role="alert">{error}</span> : null}
          </div>
        );
      })}
    </>
  );
}

/** Returns the form's starting text for each parameter: its default, or empty where it has none. */
export function defaultParamValues(fields: ParamField[]): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.name, field.default === null ? "" : String(field.default)]));
}

/**
 * Converts the form's text values to the JSON the API expects. An empty value is left out, so the
 * schema's default applies. A number field that does not parse is sent as text for the API to reject.
 */
export function toStrategyParams(fields: ParamField[], values: Record<string, string>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of fields) {
    const text = (values[field.name] ?? "").trim();
    if (text === "") continue;
    if (field.kind === "number") params[field.name] = Number.isFinite(Number(text)) ? Number(text) : text;
    else if (field.kind === "boolean") params[field.name] = text === "true";
    else params[field.name] = text;
  }
  return params;
}
