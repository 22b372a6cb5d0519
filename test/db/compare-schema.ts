import { isDeepStrictEqual } from "node:util";
import type {
  ColumnDefault,
  ColumnSchema,
  DatabaseSchema,
  EnumSchema,
  ForeignKeySchema,
  IndexSchema,
  TableSchema,
} from "./database-schema";
import { expectedSchema } from "./expected-schema";
import type { PrismaSchema } from "./prisma-schema";

/** Tables that exist without a model: Prisma Migrate's own history table. */
const TABLES_WITHOUT_MODEL = new Set(["_prisma_migrations"]);

const NUMERIC_TYPE = /^(smallint|integer|bigint|real|double precision|numeric(\(\d+,\d+\))?)$/;

/**
 * Lists every difference between the database that `prismaSchema` declares and `live`, one
 * sentence each, starting with the model and field concerned. An empty list means no drift.
 */
export function compareSchema(prismaSchema: PrismaSchema, live: DatabaseSchema): string[] {
  const expected = expectedSchema(prismaSchema);
  return [...compareEnums(expected.enums, live.enums), ...compareTables(expected.tables, live.tables)];
}

function compareEnums(expected: EnumSchema[], live: EnumSchema[]): string[] {
  const mismatches: string[] = [];
  for (const expectedEnum of expected) {
    const liveEnum = live.find((candidate) => candidate.name === expectedEnum.name);
    if (!liveEnum) {
      mismatches.push(`enum ${expectedEnum.name}: type "${expectedEnum.name}" is missing`);
    } else if (!isDeepStrictEqual(expectedEnum.values, liveEnum.values)) {
      mismatches.push(
        `enum ${expectedEnum.name}: expected values ${formatList(expectedEnum.values)}, found ${formatList(liveEnum.values)}`,
      );
    }
  }

  for (const liveEnum of live) {
    if (!expected.some((candidate) => candidate.name === liveEnum.name)) {
      mismatches.push(`enum type "${liveEnum.name}" exists in the database but not in schema.prisma`);
    }
  }
  return mismatches;
}

function compareTables(expected: TableSchema[], live: TableSchema[]): string[] {
  const mismatches: string[] = [];
  for (const expectedTable of expected) {
    const liveTable = live.find((candidate) => candidate.name === expectedTable.name);
    if (liveTable) mismatches.push(...compareTable(expectedTable, liveTable));
    else mismatches.push(`${expectedTable.name}: table "${expectedTable.name}" is missing`);
  }

  for (const liveTable of live) {
    if (TABLES_WITHOUT_MODEL.has(liveTable.name)) continue;
    if (!expected.some((candidate) => candidate.name === liveTable.name)) {
      mismatches.push(`table "${liveTable.name}" exists in the database but no model in schema.prisma declares it`);
    }
  }
  return mismatches;
}

function compareTable(expected: TableSchema, live: TableSchema): string[] {
  return [
    ...compareColumns(expected, live),
    ...comparePrimaryKeys(expected, live),
    ...compareIndexes(expected, live),
    ...compareForeignKeys(expected, live),
    ...live.checkConstraints.map(
      (check) => `${expected.name}: check constraint ${check} exists in the database but not in schema.prisma`,
    ),
  ];
}

function compareColumns(expected: TableSchema, live: TableSchema): string[] {
  const mismatches: string[] = [];
  for (const expectedColumn of expected.columns) {
    const liveColumn = live.columns.find((candidate) => candidate.name === expectedColumn.name);
    if (liveColumn) mismatches.push(...compareColumn(`${expected.name}.${expectedColumn.name}`, expectedColumn, liveColumn));
    else mismatches.push(`${expected.name}.${expectedColumn.name}: column is missing`);
  }

  for (const liveColumn of live.columns) {
    if (!expected.columns.some((candidate) => candidate.name === liveColumn.name)) {
      mismatches.push(`${expected.name}.${liveColumn.name}: column exists in the database but not in schema.prisma`);
    }
  }
  return mismatches;
}

function compareColumn(where: string, expected: ColumnSchema, live: ColumnSchema): string[] {
  const mismatches: string[] = [];
  if (expected.type !== live.type) {
    mismatches.push(`${where}: expected type ${expected.type}, found ${live.type}`);
  }
  if (expected.nullable !== live.nullable) {
    mismatches.push(`${where}: expected ${formatNullability(expected.nullable)}, found ${formatNullability(live.nullable)}`);
  }
  if (!defaultsMatch(expected.default, live.default, expected.type)) {
    mismatches.push(`${where}: expected default ${formatDefault(expected.default)}, found ${formatDefault(live.default)}`);
  }
  return mismatches;
}

function defaultsMatch(expected: ColumnDefault | null, live: ColumnDefault | null, type: string): boolean {
  if (expected === null || live === null) return expected === live;
  if (expected.kind === "autoincrement" && live.kind === "autoincrement") {
    return expected.sequenceType === live.sequenceType;
  }
  if (expected.kind === "now" && live.kind === "now") return true;
  if (expected.kind === "value" && live.kind === "value") return valuesMatch(expected.value, live.value, type);
  if (expected.kind === "expression" && live.kind === "expression") return expected.sql === live.sql;
  return false;
}

/** Compares numbers by value (`0` equals `0.0`) and JSON by structure (`{"a":1}` equals `{"a": 1}`). */
function valuesMatch(expected: string, live: string, type: string): boolean {
  if (NUMERIC_TYPE.test(type)) return Number(expected) === Number(live);
  if (type === "jsonb" || type === "json") {
    try {
      return isDeepStrictEqual(JSON.parse(expected), JSON.parse(live));
    } catch {
      return false;
    }
  }
  return expected === live;
}

function comparePrimaryKeys(expected: TableSchema, live: TableSchema): string[] {
  const expectedKey = expected.primaryKey;
  const liveKey = live.primaryKey;
  if (!expectedKey && !liveKey) return [];
  if (!expectedKey) {
    const found = `primary key "${liveKey!.name}" ${formatColumns(liveKey!.columns)}`;
    return [`${expected.name}: ${found} exists in the database but schema.prisma declares none`];
  }

  const where = expectedKey.declaredBy ?? expected.name;
  if (!liveKey) return [`${where}: primary key "${expectedKey.name}" is missing`];

  const mismatches: string[] = [];
  if (expectedKey.name !== liveKey.name) {
    mismatches.push(`${where}: expected primary key "${expectedKey.name}", found "${liveKey.name}"`);
  }
  if (!isDeepStrictEqual(expectedKey.columns, liveKey.columns)) {
    mismatches.push(
      `${where}: expected primary key columns ${formatColumns(expectedKey.columns)}, found ${formatColumns(liveKey.columns)}`,
    );
  }
  return mismatches;
}

function compareIndexes(expected: TableSchema, live: TableSchema): string[] {
  const mismatches: string[] = [];
  for (const expectedIndex of expected.indexes) {
    const where = expectedIndex.declaredBy ?? expected.name;
    const liveIndex = live.indexes.find((candidate) => candidate.name === expectedIndex.name);
    if (liveIndex) mismatches.push(...compareIndex(where, expectedIndex, liveIndex));
    else mismatches.push(`${where}: ${formatIndexKind(expectedIndex)} "${expectedIndex.name}" is missing`);
  }

  for (const liveIndex of live.indexes) {
    if (!expected.indexes.some((candidate) => candidate.name === liveIndex.name)) {
      const found = `${formatIndexKind(liveIndex)} "${liveIndex.name}" ${formatColumns(liveIndex.columns)}`;
      mismatches.push(`${expected.name}: ${found} exists in the database but not in schema.prisma`);
    }
  }
  return mismatches;
}

function compareIndex(where: string, expected: IndexSchema, live: IndexSchema): string[] {
  const mismatches: string[] = [];
  const name = `"${expected.name}"`;
  if (expected.unique !== live.unique) {
    mismatches.push(`${where}: expected ${name} to be ${formatUniqueness(expected)}, found ${formatUniqueness(live)}`);
  }
  if (!isDeepStrictEqual(expected.columns, live.columns)) {
    mismatches.push(`${where}: expected ${name} on ${formatColumns(expected.columns)}, found ${formatColumns(live.columns)}`);
  }
  if (expected.method !== live.method) {
    mismatches.push(`${where}: expected ${name} to use ${expected.method}, found ${live.method}`);
  }
  if (expected.predicate !== live.predicate) {
    mismatches.push(`${where}: expected ${name} without a WHERE clause, found WHERE ${live.predicate}`);
  }
  return mismatches;
}

function compareForeignKeys(expected: TableSchema, live: TableSchema): string[] {
  const mismatches: string[] = [];
  for (const expectedKey of expected.foreignKeys) {
    const where = expectedKey.declaredBy ?? expected.name;
    const liveKey = live.foreignKeys.find((candidate) => candidate.name === expectedKey.name);
    if (liveKey) mismatches.push(...compareForeignKey(where, expectedKey, liveKey));
    else mismatches.push(`${where}: foreign key "${expectedKey.name}" is missing`);
  }

  for (const liveKey of live.foreignKeys) {
    if (!expected.foreignKeys.some((candidate) => candidate.name === liveKey.name)) {
      const found = `foreign key "${liveKey.name}" ${formatForeignKey(liveKey)}`;
      mismatches.push(`${expected.name}: ${found} exists in the database but not in schema.prisma`);
    }
  }
  return mismatches;
}

function compareForeignKey(where: string, expected: ForeignKeySchema, live: ForeignKeySchema): string[] {
  const mismatches: string[] = [];
  const name = `"${expected.name}"`;
  if (
    !isDeepStrictEqual(expected.columns, live.columns) ||
    expected.referencedTable !== live.referencedTable ||
    !isDeepStrictEqual(expected.referencedColumns, live.referencedColumns)
  ) {
    mismatches.push(`${where}: expected ${name} ${formatForeignKey(expected)}, found ${formatForeignKey(live)}`);
  }
  if (expected.onDelete !== live.onDelete) {
    mismatches.push(`${where}: expected ${name} ON DELETE ${expected.onDelete}, found ON DELETE ${live.onDelete}`);
  }
  if (expected.onUpdate !== live.onUpdate) {
    mismatches.push(`${where}: expected ${name} ON UPDATE ${expected.onUpdate}, found ON UPDATE ${live.onUpdate}`);
  }
  return mismatches;
}

function formatNullability(nullable: boolean): string {
  return nullable ? "nullable" : "NOT NULL";
}

function formatDefault(value: ColumnDefault | null): string {
  if (value === null) return "none";
  switch (value.kind) {
    case "autoincrement":
      return `autoincrement() (a ${value.sequenceType} sequence owned by the column)`;
    case "now":
      return "CURRENT_TIMESTAMP";
    case "value":
      return value.sql ?? value.value;
    case "expression":
      return value.sql;
  }
}

function formatUniqueness(index: IndexSchema): string {
  return index.unique ? "unique" : "non-unique";
}

function formatIndexKind(index: IndexSchema): string {
  return index.unique ? "unique index" : "index";
}

function formatForeignKey(key: ForeignKeySchema): string {
  return `${formatColumns(key.columns)} REFERENCES "${key.referencedTable}" ${formatColumns(key.referencedColumns)}`;
}

function formatColumns(columns: string[]): string {
  return `(${columns.join(", ")})`;
}

function formatList(values: string[]): string {
  return `[${values.join(", ")}]`;
}
