/**
 * A parser for the part of the Prisma schema language that prisma/schema.prisma uses: `model`,
 * `enum`, `generator` and `datasource` blocks, fields with the `?` and `[]` modifiers, field
 * attributes (`@id`, `@default(now())`, `@db.VarChar(20)`), block attributes (`@@index([a, b])`),
 * `///` doc comments and `//` comments.
 *
 * It only builds the syntax tree. What the attributes mean for the database is decided in
 * expected-schema.ts, which rejects the attributes it does not model.
 */

export type PrismaValue =
  | { kind: "string"; value: string }
  | { kind: "number"; value: string }
  /** A bare name: `true`, `Cascade`, an enum value or a field name. */
  | { kind: "identifier"; value: string }
  | { kind: "call"; name: string; args: PrismaArgument[] }
  | { kind: "array"; items: PrismaValue[] };

export interface PrismaArgument {
  /** Set for named arguments such as `onDelete: Cascade`. */
  name?: string;
  value: PrismaValue;
}

export interface PrismaAttribute {
  /** The name without `@` or `@@`, for example `default` or `db.VarChar`. */
  name: string;
  args: PrismaArgument[];
  line: number;
}

export interface PrismaField {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  attributes: PrismaAttribute[];
  documentation?: string;
  line: number;
}

export interface PrismaModel {
  name: string;
  fields: PrismaField[];
  /** Block attributes such as `@@id`, `@@unique` and `@@index`. */
  attributes: PrismaAttribute[];
  documentation?: string;
  line: number;
}

export interface PrismaEnum {
  name: string;
  values: string[];
  attributes: PrismaAttribute[];
  documentation?: string;
  line: number;
}

/** A `generator` or `datasource` block: `key = value` lines. */
export interface PrismaConfigBlock {
  kind: "generator" | "datasource";
  name: string;
  properties: Record<string, PrismaValue>;
  line: number;
}

export interface PrismaSchema {
  models: PrismaModel[];
  enums: PrismaEnum[];
  configBlocks: PrismaConfigBlock[];
}

type TokenKind = "identifier" | "string" | "number" | "punctuation" | "newline" | "doc";

interface Token {
  kind: TokenKind;
  value: string;
  line: number;
}

const PUNCTUATION = new Set(["{", "}", "(", ")", "[", "]", ",", ":", "?", "=", "@", "."]);
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const STRING_ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };

/** Error for text outside the supported subset. The message names the line. */
export class PrismaSchemaSyntaxError extends Error {
  constructor(line: number, message: string) {
    super(`schema.prisma line ${line}: ${message}`);
    this.name = "PrismaSchemaSyntaxError";
  }
}

/** Parses schema text into models, enums and config blocks, in file order. */
export function parsePrismaSchema(text: string): PrismaSchema {
  return new Parser(tokenize(text)).parseSchema();
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let position = 0;

  while (position < text.length) {
    const rest = text.slice(position);
    const char = text[position];

    if (char === "\n") {
      tokens.push({ kind: "newline", value: "\n", line });
      line += 1;
      position += 1;
    } else if (char === " " || char === "\t" || char === "\r") {
      position += 1;
    } else if (rest.startsWith("//")) {
      const end = rest.indexOf("\n");
      const comment = end === -1 ? rest : rest.slice(0, end);
      if (comment.startsWith("///")) tokens.push({ kind: "doc", value: comment.slice(3).trim(), line });
      position += comment.length;
    } else if (char === '"') {
      const { value, length } = readString(rest, line);
      tokens.push({ kind: "string", value, line });
      position += length;
    } else if (rest.startsWith("@@")) {
      tokens.push({ kind: "punctuation", value: "@@", line });
      position += 2;
    } else if (NUMBER.test(rest)) {
      const value = NUMBER.exec(rest)![0];
      tokens.push({ kind: "number", value, line });
      position += value.length;
    } else if (IDENTIFIER.test(rest)) {
      const value = IDENTIFIER.exec(rest)![0];
      tokens.push({ kind: "identifier", value, line });
      position += value.length;
    } else if (PUNCTUATION.has(char)) {
      tokens.push({ kind: "punctuation", value: char, line });
      position += 1;
    } else {
      throw new PrismaSchemaSyntaxError(line, `unexpected character ${JSON.stringify(char)}`);
    }
  }

  tokens.push({ kind: "newline", value: "\n", line });
  return tokens;
}

/** Reads a double-quoted string at the start of `rest` and returns its value and its length in the source. */
function readString(rest: string, line: number): { value: string; length: number } {
  let value = "";
  let index = 1;
  while (index < rest.length) {
    const char = rest[index];
    if (char === '"') return { value, length: index + 1 };
    if (char === "\n") break;
    if (char === "\\") {
      const escaped = STRING_ESCAPES[rest[index + 1]];
      if (escaped === undefined) {
        throw new PrismaSchemaSyntaxError(line, `unsupported escape \\${rest[index + 1]} in a string`);
      }
      value += escaped;
      index += 2;
    } else {
      value += char;
      index += 1;
    }
  }
  throw new PrismaSchemaSyntaxError(line, "string is not closed before the end of the line");
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parseSchema(): PrismaSchema {
    const schema: PrismaSchema = { models: [], enums: [], configBlocks: [] };
    for (;;) {
      const documentation = this.skipBlankLinesCollectingDocs();
      if (this.index >= this.tokens.length) return schema;

      const keyword = this.expect("identifier");
      if (keyword.value === "model") schema.models.push(this.parseModel(keyword, documentation));
      else if (keyword.value === "enum") schema.enums.push(this.parseEnum(keyword, documentation));
      else if (keyword.value === "generator" || keyword.value === "datasource") {
        schema.configBlocks.push(this.parseConfigBlock(keyword));
      } else {
        throw new PrismaSchemaSyntaxError(keyword.line, `unsupported block "${keyword.value}"`);
      }
    }
  }

  private parseModel(keyword: Token, documentation: string | undefined): PrismaModel {
    const model: PrismaModel = {
      name: this.expect("identifier").value,
      fields: [],
      attributes: [],
      documentation,
      line: keyword.line,
    };
    this.expect("punctuation", "{");

    for (;;) {
      const fieldDocumentation = this.skipBlankLinesCollectingDocs();
      if (this.accept("punctuation", "}")) return model;
      if (this.accept("punctuation", "@@")) {
        model.attributes.push(this.parseAttributeBody());
        this.expectEndOfLine();
      } else {
        const field = this.parseField(fieldDocumentation);
        const trailing = this.expectEndOfLine();
        if (trailing !== undefined) {
          field.documentation = field.documentation === undefined ? trailing : `${field.documentation}\n${trailing}`;
        }
        model.fields.push(field);
      }
    }
  }

  private parseField(documentation: string | undefined): PrismaField {
    const name = this.expect("identifier");
    const type = this.expect("identifier");
    if (this.peekIs("(")) {
      throw new PrismaSchemaSyntaxError(type.line, `unsupported type ${type.value}(...) on field ${name.value}`);
    }

    const optional = this.accept("punctuation", "?") !== undefined;
    let list = false;
    if (this.accept("punctuation", "[")) {
      this.expect("punctuation", "]");
      list = true;
    }

    const attributes: PrismaAttribute[] = [];
    while (this.accept("punctuation", "@")) attributes.push(this.parseAttributeBody());
    return { name: name.value, type: type.value, optional, list, attributes, documentation, line: name.line };
  }

  private parseEnum(keyword: Token, documentation: string | undefined): PrismaEnum {
    const prismaEnum: PrismaEnum = {
      name: this.expect("identifier").value,
      values: [],
      attributes: [],
      documentation,
      line: keyword.line,
    };
    this.expect("punctuation", "{");

    for (;;) {
      this.skipBlankLinesCollectingDocs();
      if (this.accept("punctuation", "}")) return prismaEnum;
      if (this.accept("punctuation", "@@")) {
        prismaEnum.attributes.push(this.parseAttributeBody());
      } else {
        const value = this.expect("identifier");
        if (this.peekIs("@")) {
          throw new PrismaSchemaSyntaxError(value.line, `attributes on enum value ${value.value} are not supported`);
        }
        prismaEnum.values.push(value.value);
      }
      this.expectEndOfLine();
    }
  }

  private parseConfigBlock(keyword: Token): PrismaConfigBlock {
    const block: PrismaConfigBlock = {
      kind: keyword.value as PrismaConfigBlock["kind"],
      name: this.expect("identifier").value,
      properties: {},
      line: keyword.line,
    };
    this.expect("punctuation", "{");

    for (;;) {
      this.skipBlankLinesCollectingDocs();
      if (this.accept("punctuation", "}")) return block;
      const key = this.expect("identifier").value;
      this.expect("punctuation", "=");
      block.properties[key] = this.parseValue();
      this.expectEndOfLine();
    }
  }

  /** Parses what follows `@` or `@@`: a dotted name and optional arguments. */
  private parseAttributeBody(): PrismaAttribute {
    const first = this.expect("identifier");
    let name = first.value;
    while (this.accept("punctuation", ".")) name += `.${this.expect("identifier").value}`;
    const args = this.peekIs("(") ? this.parseArguments() : [];
    return { name, args, line: first.line };
  }

  /** Parses `( [name:] value, ... )`, allowing line breaks inside the brackets. */
  private parseArguments(): PrismaArgument[] {
    this.expect("punctuation", "(");
    const args: PrismaArgument[] = [];
    for (;;) {
      this.skipNewlines();
      if (this.accept("punctuation", ")")) return args;
      if (args.length > 0) {
        this.expect("punctuation", ",");
        this.skipNewlines();
      }

      const next = this.tokens[this.index + 1];
      if (this.peek().kind === "identifier" && next?.kind === "punctuation" && next.value === ":") {
        const name = this.expect("identifier").value;
        this.expect("punctuation", ":");
        this.skipNewlines();
        args.push({ name, value: this.parseValue() });
      } else {
        args.push({ value: this.parseValue() });
      }
    }
  }

  private parseValue(): PrismaValue {
    const token = this.advance();
    if (token.kind === "string") return { kind: "string", value: token.value };
    if (token.kind === "number") return { kind: "number", value: token.value };

    if (token.kind === "identifier") {
      if (this.peekIs("(")) return { kind: "call", name: token.value, args: this.parseArguments() };
      return { kind: "identifier", value: token.value };
    }

    if (token.kind === "punctuation" && token.value === "[") {
      const items: PrismaValue[] = [];
      for (;;) {
        this.skipNewlines();
        if (this.accept("punctuation", "]")) return { kind: "array", items };
        if (items.length > 0) {
          this.expect("punctuation", ",");
          this.skipNewlines();
        }
        items.push(this.parseValue());
      }
    }

    throw new PrismaSchemaSyntaxError(token.line, `expected a value, found ${describeToken(token)}`);
  }

  /** Skips blank lines and returns the `///` lines just above the next item, joined by newlines. */
  private skipBlankLinesCollectingDocs(): string | undefined {
    let docs: string[] = [];
    while (this.index < this.tokens.length) {
      const token = this.peek();
      if (token.kind === "doc") docs.push(token.value);
      else if (token.kind !== "newline") break;
      else if (this.tokens[this.index - 1]?.kind === "newline") docs = [];
      this.index += 1;
    }
    return docs.length > 0 ? docs.join("\n") : undefined;
  }

  private skipNewlines(): void {
    while (this.peek().kind === "newline") this.index += 1;
  }

  /** Checks that the line ends here; returns the text of a `///` comment that ends it. */
  private expectEndOfLine(): string | undefined {
    const token = this.peek();
    if (token.kind === "doc") {
      this.index += 1;
      return token.value;
    }
    if (token.kind === "newline" || (token.kind === "punctuation" && token.value === "}")) return undefined;
    throw new PrismaSchemaSyntaxError(token.line, `expected the end of the line, found ${describeToken(token)}`);
  }

  private peekIs(punctuation: string): boolean {
    const token = this.peek();
    return token.kind === "punctuation" && token.value === punctuation;
  }

  private peek(): Token {
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1];
  }

  private advance(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length) this.index += 1;
    return token;
  }

  private accept(kind: TokenKind, value?: string): Token | undefined {
    const token = this.peek();
    if (token.kind !== kind || (value !== undefined && token.value !== value)) return undefined;
    this.index += 1;
    return token;
  }

  private expect(kind: TokenKind, value?: string): Token {
    const token = this.accept(kind, value);
    if (token) return token;
    const expected = value === undefined ? `a ${kind}` : JSON.stringify(value);
    throw new PrismaSchemaSyntaxError(this.peek().line, `expected ${expected}, found ${describeToken(this.peek())}`);
  }
}

function describeToken(token: Token): string {
  if (token.kind === "newline") return "the end of the line";
  if (token.kind === "doc") return "a /// comment";
  return JSON.stringify(token.value);
}
