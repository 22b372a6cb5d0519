import type {
  ColumnDefault,
  ColumnSchema,
  DatabaseSchema,
  ForeignKeySchema,
  IndexSchema,
  PrimaryKeySchema,
  ReferentialAction,
  TableSchema,
} from "./database-schema";
import type { PrismaArgument, PrismaAttribute, PrismaField, PrismaModel, PrismaSchema, PrismaValue } from "./prisma-schema";

/**
 * Derives the Postgres schema that Prisma Migrate (v7, postgresql provider) would create for a
 * parsed schema.prisma: one table per model, Prisma's column types, and Prisma's default names
 * for keys, indexes and foreign keys. Anything outside the rules below (for example `@map`,
 * `@db.*`, defaults on scalar lists, implicit many-to-many relations) raises an error naming the model and
 * field, so the drift test never passes on a schema it does not understand.
 */

/** Postgres type of each Prisma scalar type when no `@db.*` attribute is given. */
const SCALAR_TYPES: Record<string, string> = {
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  String: "text",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Bytes: "bytea",
};

const REFERENTIAL_ACTIONS: Record<string, ReferentialAction> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

/** Postgres truncates longer identifiers, and Prisma's truncation rule is not modelled here. */
const MAX_IDENTIFIER_LENGTH = 63;

/** Field attributes this module understands. */
const FIELD_ATTRIBUTES = new Set(["id", "default", "unique", "relation"]);
const MODEL_ATTRIBUTES = new Set(["id", "unique", "index"]);

/** Default functions that Prisma Client evaluates itself, so the column gets no database default. */
const CLIENT_SIDE_DEFAULTS = new Set(["uuid", "cuid", "nanoid", "ulid"]);

export class UnsupportedSchemaError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}; the drift test (test/db/expected-schema.ts) does not model this`);
    this.name = "UnsupportedSchemaError";
  }
}

/** Builds the tables and enum types that the migrations must create for `schema`. */
export function expectedSchema(schema: PrismaSchema): DatabaseSchema {
  checkDatasource(schema);
  const modelNames = new Set(schema.models.map((model) => model.name));
  const enumNames = new Set(schema.enums.map((prismaEnum) => prismaEnum.name));

  for (const prismaEnum of schema.enums) {
    if (prismaEnum.attributes.length > 0) {
      throw new UnsupportedSchemaError(`enum ${prismaEnum.name}`, `@@${prismaEnum.attributes[0].name}`);
    }
  }

  return {
    enums: schema.enums.map((prismaEnum) => ({ name: prismaEnum.name, values: [...prismaEnum.values] })),
    tables: schema.models.map((model) => expectedTable(model, { schema, modelNames, enumNames })),
  };
}

interface ModelContext {
  schema: PrismaSchema;
  modelNames: Set<string>;
  enumNames: Set<string>;
}

function checkDatasource(schema: PrismaSchema): void {
  for (const block of schema.configBlocks) {
    if (block.kind !== "datasource") continue;
    const provider = block.properties.provider;
    if (provider?.kind !== "string" || provider.value !== "postgresql") {
      throw new UnsupportedSchemaError(`datasource ${block.name}`, 'a provider other than "postgresql"');
    }
    for (const key of ["relationMode", "schemas", "extensions"]) {
      if (key in block.properties) throw new UnsupportedSchemaError(`datasource ${block.name}`, `the ${key} setting`);
    }
  }
}

function expectedTable(model: PrismaModel, context: ModelContext): TableSchema {
  for (const attribute of model.attributes) {
    if (!MODEL_ATTRIBUTES.has(attribute.name)) throw new UnsupportedSchemaError(model.name, `@@${attribute.name}`);
  }

  const scalarFields: PrismaField[] = [];
  const relationFields: PrismaField[] = [];
  for (const field of model.fields) {
    checkFieldAttributes(model, field);
    if (context.modelNames.has(field.type)) relationFields.push(field);
    else scalarFields.push(field);
  }

  const table: TableSchema = {
    name: checkIdentifier(model.name, model.name),
    columns: scalarFields.map((field) => expectedColumn(model, field, context)),
    primaryKey: expectedPrimaryKey(model),
    indexes: expectedIndexes(model),
    foreignKeys: relationFields.flatMap((field) => expectedForeignKey(model, field, context)),
    checkConstraints: [],
  };

  checkReferencedColumns(model, table);
  return table;
}

function checkFieldAttributes(model: PrismaModel, field: PrismaField): void {
  for (const attribute of field.attributes) {
    if (!FIELD_ATTRIBUTES.has(attribute.name)) {
      throw new UnsupportedSchemaError(`${model.name}.${field.name}`, `@${attribute.name}`);
    }
  }
}

function expectedColumn(model: PrismaModel, field: PrismaField, context: ModelContext): ColumnSchema {
  const where = `${model.name}.${field.name}`;
  if (field.list && findAttribute(field.attributes, "default")) {
    throw new UnsupportedSchemaError(where, `a default on the scalar list ${field.type}[]`);
  }
  if (field.attributes.some((attribute) => attribute.name === "relation")) {
    throw new UnsupportedSchemaError(where, "@relation on a field that is not a relation");
  }

  const isEnum = context.enumNames.has(field.type);
  const elementType = isEnum ? field.type : SCALAR_TYPES[field.type];
  if (elementType === undefined) throw new UnsupportedSchemaError(where, `the type ${field.type}`);

  // Prisma creates a scalar list as a nullable array column ("x" DOUBLE PRECISION[]), because
  // schema.prisma cannot mark a list optional.
  return {
    name: checkIdentifier(field.name, where),
    type: field.list ? `${elementType}[]` : elementType,
    nullable: field.optional || field.list,
    default: expectedDefault(where, field, context),
  };
}

function expectedDefault(where: string, field: PrismaField, context: ModelContext): ColumnDefault | null {
  const attribute = findAttribute(field.attributes, "default");
  if (!attribute) return null;
  const value = positionalArgument(attribute, 0, where);

  if (value.kind === "call") return expectedDefaultCall(where, field, value.name);

  const prismaEnum = context.schema.enums.find((candidate) => candidate.name === field.type);
  if (value.kind === "identifier" && prismaEnum) {
    if (!prismaEnum.values.includes(value.value)) {
      throw new Error(`${where}: ${value.value} is not a value of enum ${prismaEnum.name}`);
    }
    return { kind: "value", value: value.value };
  }
  if (value.kind === "identifier" && field.type === "Boolean" && (value.value === "true" || value.value === "false")) {
    return { kind: "value", value: value.value };
  }
  if (value.kind === "number" && ["Int", "BigInt", "Float", "Decimal"].includes(field.type)) {
    return { kind: "value", value: value.value };
  }
  if (value.kind === "string" && (field.type === "String" || field.type === "Json")) {
    return { kind: "value", value: value.value };
  }

  throw new UnsupportedSchemaError(where, `the default ${describeValue(value)} on a ${field.type} field`);
}

function expectedDefaultCall(where: string, field: PrismaField, name: string): ColumnDefault | null {
  if (name === "autoincrement" && (field.type === "Int" || field.type === "BigInt")) {
    return { kind: "autoincrement", sequenceType: SCALAR_TYPES[field.type] };
  }
  if (name === "now" && field.type === "DateTime") return { kind: "now" };
  if (CLIENT_SIDE_DEFAULTS.has(name) && field.type === "String") return null;
  throw new UnsupportedSchemaError(where, `the default ${name}() on a ${field.type} field`);
}

/** Prisma names the primary key `Model_pkey` unless `map:` gives a name. */
function expectedPrimaryKey(model: PrismaModel): PrimaryKeySchema | null {
  const keys: PrimaryKeySchema[] = [];

  for (const field of model.fields) {
    const attribute = findAttribute(field.attributes, "id");
    if (!attribute) continue;
    checkArgumentNames(attribute, ["map"], `${model.name}.${field.name}`);
    const name = stringArgument(attribute, "map") ?? `${model.name}_pkey`;
    keys.push({ name, columns: [field.name], declaredBy: `${model.name}.${field.name} @id` });
  }

  for (const attribute of model.attributes.filter((candidate) => candidate.name === "id")) {
    checkArgumentNames(attribute, ["fields", "name", "map"], model.name);
    const columns = fieldListArgument(attribute, model);
    const name = stringArgument(attribute, "map") ?? `${model.name}_pkey`;
    keys.push({ name, columns, declaredBy: `${model.name} @@id([${columns.join(", ")}])` });
  }

  if (keys.length > 1) throw new UnsupportedSchemaError(model.name, "more than one @id or @@id");
  return keys[0] ? { ...keys[0], name: checkIdentifier(keys[0].name, model.name) } : null;
}

/**
 * Prisma names unique indexes `Model_a_b_key` and plain ones `Model_a_b_idx` after their
 * columns, unless `map:` gives a name. Both are btree indexes without a WHERE clause.
 */
function expectedIndexes(model: PrismaModel): IndexSchema[] {
  const indexes: IndexSchema[] = [];

  for (const field of model.fields) {
    const attribute = findAttribute(field.attributes, "unique");
    if (!attribute) continue;
    checkArgumentNames(attribute, ["map"], `${model.name}.${field.name}`);
    indexes.push(
      makeIndex(model, {
        columns: [field.name],
        unique: true,
        map: stringArgument(attribute, "map"),
        declaredBy: `${model.name}.${field.name} @unique`,
      }),
    );
  }

  for (const attribute of model.attributes) {
    if (attribute.name !== "unique" && attribute.name !== "index") continue;
    checkArgumentNames(attribute, attribute.name === "unique" ? ["fields", "name", "map"] : ["fields", "map"], model.name);
    const columns = fieldListArgument(attribute, model);
    indexes.push(
      makeIndex(model, {
        columns,
        unique: attribute.name === "unique",
        map: stringArgument(attribute, "map"),
        declaredBy: `${model.name} @@${attribute.name}([${columns.join(", ")}])`,
      }),
    );
  }

  return indexes;
}

function makeIndex(
  model: PrismaModel,
  options: { columns: string[]; unique: boolean; map: string | undefined; declaredBy: string },
): IndexSchema {
  const suffix = options.unique ? "key" : "idx";
  const name = options.map ?? `${model.name}_${options.columns.join("_")}_${suffix}`;
  return {
    name: checkIdentifier(name, options.declaredBy),
    unique: options.unique,
    columns: options.columns,
    method: "btree",
    predicate: null,
    declaredBy: options.declaredBy,
  };
}

/**
 * Derives the foreign key of a relation field that has `fields:` and `references:`, named
 * `Model_a_b_fkey`. Without `onDelete`, Prisma uses RESTRICT when every foreign key field is
 * required and SET NULL when one is optional; without `onUpdate` it uses CASCADE.
 * The back-relation side (no `fields:`) creates nothing.
 */
function expectedForeignKey(model: PrismaModel, field: PrismaField, context: ModelContext): ForeignKeySchema[] {
  const where = `${model.name}.${field.name}`;
  const attribute = findAttribute(field.attributes, "relation");
  const unsupported = field.attributes.find((candidate) => candidate.name !== "relation");
  if (unsupported) throw new UnsupportedSchemaError(where, `@${unsupported.name} on a relation field`);

  if (!attribute || !hasArgument(attribute, "fields")) {
    if (field.list) checkNotImplicitManyToMany(model, field, context);
    return [];
  }
  checkArgumentNames(attribute, ["name", "fields", "references", "onDelete", "onUpdate", "map"], where);

  const columns = fieldListArgument(attribute, model, "fields");
  const target = context.schema.models.find((candidate) => candidate.name === field.type)!;
  const referencedColumns = fieldListArgument(attribute, target, "references");
  if (columns.length !== referencedColumns.length) {
    throw new Error(`${where}: @relation has ${columns.length} fields but ${referencedColumns.length} references`);
  }

  const anyOptional = columns.some((column) => model.fields.find((candidate) => candidate.name === column)?.optional);
  const name = stringArgument(attribute, "map") ?? `${model.name}_${columns.join("_")}_fkey`;
  return [
    {
      name: checkIdentifier(name, where),
      columns,
      referencedTable: target.name,
      referencedColumns,
      onDelete: referentialAction(attribute, "onDelete", where) ?? (anyOptional ? "SET NULL" : "RESTRICT"),
      onUpdate: referentialAction(attribute, "onUpdate", where) ?? "CASCADE",
      declaredBy: `${where} @relation`,
    },
  ];
}

/** Rejects a list relation whose other side is also a list, because Prisma creates a `_AToB` join table for it. */
function checkNotImplicitManyToMany(model: PrismaModel, field: PrismaField, context: ModelContext): void {
  const target = context.schema.models.find((candidate) => candidate.name === field.type)!;
  const backRelation = target.fields.find((candidate) => candidate.type === model.name && candidate.list);
  if (backRelation && (target !== model || backRelation !== field)) {
    throw new UnsupportedSchemaError(`${model.name}.${field.name}`, "an implicit many-to-many relation");
  }
}

/** Checks that every column named in a key, index or foreign key is a scalar field of its model. */
function checkReferencedColumns(model: PrismaModel, table: TableSchema): void {
  const columnNames = new Set(table.columns.map((column) => column.name));
  const groups = [
    ...(table.primaryKey ? [table.primaryKey] : []),
    ...table.indexes,
    ...table.foreignKeys,
  ];
  for (const group of groups) {
    for (const column of group.columns) {
      if (!columnNames.has(column)) {
        throw new Error(`${group.declaredBy ?? model.name}: ${model.name}.${column} is not a scalar field`);
      }
    }
  }
}

function referentialAction(attribute: PrismaAttribute, name: string, where: string): ReferentialAction | undefined {
  const argument = attribute.args.find((candidate) => candidate.name === name);
  if (!argument) return undefined;
  const action = argument.value.kind === "identifier" ? REFERENTIAL_ACTIONS[argument.value.value] : undefined;
  if (!action) throw new Error(`${where}: invalid ${name} ${describeValue(argument.value)}`);
  return action;
}

function findAttribute(attributes: PrismaAttribute[], name: string): PrismaAttribute | undefined {
  return attributes.find((attribute) => attribute.name === name);
}

function hasArgument(attribute: PrismaAttribute, name: string): boolean {
  return attribute.args.some((argument) => argument.name === name);
}

function positionalArgument(attribute: PrismaAttribute, position: number, where: string): PrismaValue {
  const argument = attribute.args.filter((candidate) => candidate.name === undefined)[position];
  if (!argument) throw new Error(`${where}: @${attribute.name} is missing argument ${position + 1}`);
  return argument.value;
}

function stringArgument(attribute: PrismaAttribute, name: string): string | undefined {
  const argument = attribute.args.find((candidate) => candidate.name === name);
  if (!argument) return undefined;
  if (argument.value.kind !== "string") {
    throw new Error(`line ${attribute.line}: ${name} must be a string, got ${describeValue(argument.value)}`);
  }
  return argument.value.value;
}

/**
 * Reads a list of plain field names: the named argument `name`, or else (for `fields`) the
 * first positional one. Sort orders and other per-field arguments are rejected.
 */
function fieldListArgument(attribute: PrismaAttribute, model: PrismaModel, name = "fields"): string[] {
  const named = attribute.args.find((argument) => argument.name === name);
  const argument: PrismaArgument | undefined =
    named ?? (name === "fields" ? attribute.args.find((candidate) => candidate.name === undefined) : undefined);
  if (argument?.value.kind !== "array") {
    throw new Error(`line ${attribute.line}: @${attribute.name} needs a list of fields of ${model.name}`);
  }

  return argument.value.items.map((item) => {
    if (item.kind !== "identifier") {
      throw new UnsupportedSchemaError(`line ${attribute.line}`, `the field argument ${describeValue(item)}`);
    }
    if (!model.fields.some((field) => field.name === item.value)) {
      throw new Error(`line ${attribute.line}: ${model.name} has no field ${item.value}`);
    }
    return item.value;
  });
}

function checkArgumentNames(attribute: PrismaAttribute, allowed: string[], where: string): void {
  for (const argument of attribute.args) {
    if (argument.name !== undefined && !allowed.includes(argument.name)) {
      throw new UnsupportedSchemaError(where, `the argument ${argument.name} of @${attribute.name}`);
    }
  }
}

function checkIdentifier(name: string, where: string): string {
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_LENGTH) {
    throw new UnsupportedSchemaError(where, `the name ${name}, which is longer than ${MAX_IDENTIFIER_LENGTH} bytes`);
  }
  return name;
}

function describeValue(value: PrismaValue): string {
  switch (value.kind) {
    case "string":
      return JSON.stringify(value.value);
    case "number":
    case "identifier":
      return value.value;
    case "call":
      return `${value.name}(...)`;
    case "array":
      return `[${value.items.map(describeValue).join(", ")}]`;
  }
}
