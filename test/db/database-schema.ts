/**
 * The shape of a Postgres schema that the drift test compares: what expected-schema.ts derives
 * from schema.prisma and what live-schema.ts reads from a database.
 */

export type ReferentialAction = "CASCADE" | "RESTRICT" | "NO ACTION" | "SET NULL" | "SET DEFAULT";

export type ColumnDefault =
  /** A nextval() default on a sequence owned by the column, as SERIAL creates it. */
  | { kind: "autoincrement"; sequenceType: string }
  | { kind: "now" }
  /** A constant. `value` is its text form (`expr::text`), and `sql` is the default as Postgres prints it. */
  | { kind: "value"; value: string; sql?: string }
  /** Any other expression, as Postgres prints it. */
  | { kind: "expression"; sql: string };

export interface ColumnSchema {
  name: string;
  /** `format_type()` output such as `integer` or `timestamp(3) without time zone`, or an enum's bare name. */
  type: string;
  nullable: boolean;
  default: ColumnDefault | null;
}

export interface PrimaryKeySchema {
  name: string;
  columns: string[];
  declaredBy?: string;
}

export interface IndexSchema {
  name: string;
  unique: boolean;
  /** Column names in index order, with ` DESC` appended for descending ones. */
  columns: string[];
  method: string;
  /** The WHERE clause of a partial index. */
  predicate: string | null;
  declaredBy?: string;
}

export interface ForeignKeySchema {
  name: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
  declaredBy?: string;
}

export interface TableSchema {
  name: string;
  columns: ColumnSchema[];
  primaryKey: PrimaryKeySchema | null;
  indexes: IndexSchema[];
  foreignKeys: ForeignKeySchema[];
  /** CHECK constraints as `pg_get_constraintdef` prints them. Prisma never creates any. */
  checkConstraints: string[];
}

export interface EnumSchema {
  name: string;
  values: string[];
}

export interface DatabaseSchema {
  tables: TableSchema[];
  enums: EnumSchema[];
}
