import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { expectedSchema } from "./expected-schema";
import { parsePrismaSchema } from "./prisma-schema";

const SCHEMA_PATH = path.resolve(import.meta.dirname, "../../prisma/schema.prisma");

const POSTGRES_DATASOURCE = `datasource db {
  provider = "postgresql"
}
`;

/** Parses `models` after a postgresql datasource and derives the tables Prisma would create. */
function expectedTables(models: string) {
  return expectedSchema(parsePrismaSchema(POSTGRES_DATASOURCE + models)).tables;
}

describe("parsePrismaSchema", () => {
  it("reads every block of schema.prisma", async () => {
    const text = await readFile(SCHEMA_PATH, "utf8");
    const schema = parsePrismaSchema(text);

    // Every block header in schema.prisma starts a line, so a regular expression lists them independently.
    const declared = (keywords: string) =>
      [...text.matchAll(new RegExp(`^(?:${keywords}) (\\w+) \\{`, "gm"))].map((match) => match[1]);
    expect(schema.models.map((model) => model.name)).toEqual(declared("model"));
    expect(schema.enums.map((prismaEnum) => prismaEnum.name)).toEqual(declared("enum"));
    expect(schema.configBlocks.map((block) => block.name)).toEqual(declared("generator|datasource"));
    expect(schema.models.length).toBeGreaterThan(0);
  });

  it("reads modifiers, attributes and arguments", () => {
    const [model] = parsePrismaSchema(`
      model Post {
        id       Int     @id @default(autoincrement())
        note     String?
        tags     Tag[]
        author   User    @relation("written", fields: [authorId], references: [id], onDelete: Cascade)
        body     String  @db.VarChar(200)

        @@index([authorId, id], map: "by_author")
      }
    `).models;

    expect(model.fields.map(({ name, type, optional, list }) => ({ name, type, optional, list }))).toEqual([
      { name: "id", type: "Int", optional: false, list: false },
      { name: "note", type: "String", optional: true, list: false },
      { name: "tags", type: "Tag", optional: false, list: true },
      { name: "author", type: "User", optional: false, list: false },
      { name: "body", type: "String", optional: false, list: false },
    ]);
    expect(model.fields[0].attributes).toMatchObject([
      { name: "id", args: [] },
      { name: "default", args: [{ value: { kind: "call", name: "autoincrement", args: [] } }] },
    ]);
    expect(model.fields[3].attributes[0].args).toEqual([
      { value: { kind: "string", value: "written" } },
      { name: "fields", value: { kind: "array", items: [{ kind: "identifier", value: "authorId" }] } },
      { name: "references", value: { kind: "array", items: [{ kind: "identifier", value: "id" }] } },
      { name: "onDelete", value: { kind: "identifier", value: "Cascade" } },
    ]);
    expect(model.fields[4].attributes[0]).toMatchObject({
      name: "db.VarChar",
      args: [{ value: { kind: "number", value: "200" } }],
    });
    expect(model.attributes).toMatchObject([{ name: "index", line: 9 }]);
  });

  it("attaches doc comments and skips plain comments", () => {
    const schema = parsePrismaSchema(`
      // Not documentation.
      /// A user.
      /// Second line.
      model User {
        /// The primary key.
        id   Int    @id // trailing plain comment
        name String /// trailing doc comment
        // Not documentation either.
        age  Int
      }
    `);
    const [model] = schema.models;

    expect(model.documentation).toBe("A user.\nSecond line.");
    expect(model.fields.map((field) => field.documentation)).toEqual([
      "The primary key.",
      "trailing doc comment",
      undefined,
    ]);
  });

  it("keeps // inside strings", () => {
    const [model] = parsePrismaSchema(`model Link {\n  url String @default("https://example.com/a")\n}\n`).models;
    expect(model.fields[0].attributes[0].args[0].value).toEqual({ kind: "string", value: "https://example.com/a" });
  });

  it("reads arguments spread over several lines", () => {
    const [model] = parsePrismaSchema(`
      model Pair {
        a Int
        b Int
        @@id([
          a,
          b
        ])
      }
    `).models;
    expect(model.attributes[0].args[0].value).toEqual({
      kind: "array",
      items: [
        { kind: "identifier", value: "a" },
        { kind: "identifier", value: "b" },
      ],
    });
  });

  describe("when the text is outside the supported subset", () => {
    it("rejects a composite type block with its line", () => {
      expect(() => parsePrismaSchema("\n\ntype Address {\n  street String\n}\n")).toThrow(
        'schema.prisma line 3: unsupported block "type"',
      );
    });

    it("rejects an unclosed string", () => {
      expect(() => parsePrismaSchema(`model A {\n  id String @default("x)\n}\n`)).toThrow(
        "schema.prisma line 2: string is not closed before the end of the line",
      );
    });

    it("rejects two fields on one line", () => {
      expect(() => parsePrismaSchema("model A {\n  id Int name String\n}\n")).toThrow(
        'schema.prisma line 2: expected the end of the line, found "name"',
      );
    });
  });
});

describe("expectedSchema", () => {
  const USER = `model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}
`;

  it("applies Prisma's default referential actions", () => {
    const tables = expectedTables(`
      model User {
        id      Int    @id
        posts   Post[] @relation("author")
        reviews Post[] @relation("reviewer")
      }

      model Post {
        id         Int   @id
        authorId   Int
        reviewerId Int?
        author     User  @relation("author", fields: [authorId], references: [id])
        reviewer   User? @relation("reviewer", fields: [reviewerId], references: [id])
      }
    `);
    const post = tables.find((table) => table.name === "Post")!;

    expect(post.foreignKeys).toMatchObject([
      { name: "Post_authorId_fkey", onDelete: "RESTRICT", onUpdate: "CASCADE" },
      { name: "Post_reviewerId_fkey", onDelete: "SET NULL", onUpdate: "CASCADE" },
    ]);
  });

  it("names keys and indexes the way Prisma does", () => {
    const tables = expectedTables(`${USER}
      model Post {
        id       Int    @id
        authorId Int
        slug     String
        author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade, onUpdate: NoAction)

        @@unique([authorId, slug])
        @@index([slug, authorId])
        @@index([authorId], map: "posts_by_author")
      }
    `);
    const [user, post] = tables;

    expect(user.primaryKey).toMatchObject({ name: "User_pkey", columns: ["id"] });
    expect(user.indexes).toMatchObject([{ name: "User_email_key", unique: true, columns: ["email"] }]);
    expect(post.indexes.map(({ name, unique, columns }) => ({ name, unique, columns }))).toEqual([
      { name: "Post_authorId_slug_key", unique: true, columns: ["authorId", "slug"] },
      { name: "Post_slug_authorId_idx", unique: false, columns: ["slug", "authorId"] },
      { name: "posts_by_author", unique: false, columns: ["authorId"] },
    ]);
    expect(post.foreignKeys).toMatchObject([
      { name: "Post_authorId_fkey", referencedTable: "User", onDelete: "CASCADE", onUpdate: "NO ACTION" },
    ]);
  });

  it("maps scalar types, nullability and defaults", () => {
    const [table] = expectedTables(`
      model Kinds {
        id      BigInt   @id @default(autoincrement())
        ratio   Float    @default(0.5)
        price   Decimal?
        flag    Boolean  @default(true)
        at      DateTime @default(now())
        data    Json     @default("{}")
        blob    Bytes
        token   String   @default(uuid())
      }
    `);

    expect(table.columns.map(({ name, type, nullable, default: value }) => ({ name, type, nullable, value }))).toEqual([
      { name: "id", type: "bigint", nullable: false, value: { kind: "autoincrement", sequenceType: "bigint" } },
      { name: "ratio", type: "double precision", nullable: false, value: { kind: "value", value: "0.5" } },
      { name: "price", type: "numeric(65,30)", nullable: true, value: null },
      { name: "flag", type: "boolean", nullable: false, value: { kind: "value", value: "true" } },
      { name: "at", type: "timestamp(3) without time zone", nullable: false, value: { kind: "now" } },
      { name: "data", type: "jsonb", nullable: false, value: { kind: "value", value: "{}" } },
      { name: "blob", type: "bytea", nullable: false, value: null },
      { name: "token", type: "text", nullable: false, value: null },
    ]);
  });

  it("maps scalar lists to nullable array columns", () => {
    const [table] = expectedTables(`
      enum Split {
        train
      }
      model Lists {
        id     Int     @id
        scores Float[]
        names  String[]
        splits Split[]
      }
    `);

    expect(table.columns.slice(1).map(({ name, type, nullable }) => ({ name, type, nullable }))).toEqual([
      { name: "scores", type: "double precision[]", nullable: true },
      { name: "names", type: "text[]", nullable: true },
      { name: "splits", type: "Split[]", nullable: true },
    ]);
  });

  describe("when the schema uses something it does not model", () => {
    it.each([
      ["@map", "model A {\n  id Int @id @map(\"a_id\")\n}", "A.id: @map"],
      ["@db.VarChar", "model A {\n  id String @id @db.VarChar(20)\n}", "A.id: @db.VarChar"],
      ["@@map", "model A {\n  id Int @id\n  @@map(\"as\")\n}", "A: @@map"],
      ["a default on a scalar list", "model A {\n  id Int @id\n  tags String[] @default([])\n}", "A.tags: a default on the scalar list String[]"],
      ["a sort order", "model A {\n  id Int @id\n  n Int\n  @@index([n(sort: Desc)])\n}", "the field argument n(...)"],
      [
        "an implicit many-to-many relation",
        "model A {\n  id Int @id\n  bs B[]\n}\nmodel B {\n  id Int @id\n  as A[]\n}",
        "A.bs: an implicit many-to-many relation",
      ],
    ])("rejects %s", (_, models, message) => {
      expect(() => expectedTables(models)).toThrow(message);
    });
  });
});
