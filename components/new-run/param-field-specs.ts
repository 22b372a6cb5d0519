import { z } from "zod";

interface ParamFieldBase {
  name: string;
  /** The schema's `.describe()` text. */
  description: string | null;
}

/** One strategy parameter as the form renders it, read from the strategy's zod schema. */
export type ParamField =
  | (ParamFieldBase & {
      kind: "number";
      integer: boolean;
      minimum: number | null;
      maximum: number | null;
      /** Bounds the value must stay strictly inside, from `.positive()`, `.gt()` or `.lt()`. */
      exclusiveMinimum: number | null;
      exclusiveMaximum: number | null;
      default: number | null;
    })
  | (ParamFieldBase & { kind: "boolean"; default: boolean | null })
  | (ParamFieldBase & { kind: "choice"; options: string[]; default: string | null });

// The subset of JSON Schema that z.toJSONSchema emits for the parameter types the form supports.
const propertySchema = z.object({
  type: z.enum(["number", "integer", "boolean", "string"]).optional(),
  enum: z.array(z.string()).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  exclusiveMinimum: z.number().optional(),
  exclusiveMaximum: z.number().optional(),
  default: z.unknown().optional(),
  description: z.string().optional(),
});

const objectSchema = z.object({ properties: z.record(z.string(), z.unknown()).default({}) });

function toParamField(name: string, property: z.infer<typeof propertySchema>): ParamField | null {
  const description = property.description ?? null;
  if (property.enum) {
    const fallback = typeof property.default === "string" ? property.default : null;
    return { kind: "choice", name, description, options: property.enum, default: fallback };
  }
  if (property.type === "boolean") {
    return { kind: "boolean", name, description, default: typeof property.default === "boolean" ? property.default : null };
  }
  if (property.type === "number" || property.type === "integer") {
    return {
      kind: "number", name, description,
      integer: property.type === "integer",
      minimum: property.minimum ?? null,
      maximum: property.maximum ?? null,
      exclusiveMinimum: property.exclusiveMinimum ?? null,
      exclusiveMaximum: property.exclusiveMaximum ?? null,
      default: typeof property.default === "number" ? property.default : null,
    };
  }
  return null;
}

/**
 * Reads the form fields of a strategy's parameter schema: type, bounds, default and help text.
 * Throws, naming the strategy and parameter, for a parameter type the form cannot render, so a
 * new strategy with such a parameter fails on the first render of the new-run page.
 */
export function describeParamFields(strategy: string, schema: z.ZodType): ParamField[] {
  const { properties } = objectSchema.parse(z.toJSONSchema(schema, { io: "input" }));
  return Object.entries(properties).map(([name, raw]) => {
    const property = propertySchema.safeParse(raw);
    const field = property.success ? toParamField(name, property.data) : null;
    if (!field) {
      throw new Error(`strategy ${strategy}: parameter ${name} has a type the new-run form cannot render: ${JSON.stringify(raw)}`);
    }
    return field;
  });
}
