/** Cells of one grid row. A cell may contain several lines separated by "\n", and the row is as tall as its tallest cell. */
export type GridRow = readonly string[];

/** Extra width of every column over its header, as in the `tabulate` package's MIN_PADDING. */
const HEADER_PADDING = 2;

/** Display width of a line, counted in code points. Wide (CJK) characters count as 1. */
function lineWidth(line: string): number {
  return Array.from(line).length;
}

/** Centres a line, leaving the odd space on the right as Python's `format(text, "^N")` does. */
function centre(line: string, width: number): string {
  const space = width - lineWidth(line);
  const left = Math.floor(space / 2);
  return " ".repeat(left) + line + " ".repeat(space - left);
}

function alignLine(line: string, width: number, column: number): string {
  return column === 0 ? " ".repeat(width - lineWidth(line)) + line : centre(line, width);
}

function formatRow(cells: readonly string[], widths: readonly number[]): string[] {
  const cellLines = cells.map((cell) => cell.split("\n"));
  const height = Math.max(...cellLines.map((lines) => lines.length));
  const output: string[] = [];

  for (let index = 0; index < height; index++) {
    const parts = cellLines.map((lines, column) => ` ${alignLine(lines[index] ?? "", widths[column], column)} `);
    output.push(`│${parts.join("│")}│`);
  }
  return output;
}

function rule(widths: readonly number[], [left, fill, middle, right]: string): string {
  return left + widths.map((width) => fill.repeat(width + 2)).join(middle) + right;
}

/**
 * Formats a table like the `tabulate` package's `fancy_grid` format with the options sacreBLEU
 * 2.6.0 passes: the first column right-aligned, the others centred, box-drawing rules between rows.
 */
export function formatGrid(headers: readonly string[], rows: readonly GridRow[]): string {
  const widths = headers.map((header, column) => {
    const cellWidths = rows.flatMap((row) => row[column].split("\n").map(lineWidth));
    return Math.max(lineWidth(header) + HEADER_PADDING, ...cellWidths);
  });

  const lines = [rule(widths, "╒═╤╕"), ...formatRow(headers, widths), rule(widths, "╞═╪╡")];
  rows.forEach((row, index) => {
    if (index > 0) lines.push(rule(widths, "├─┼┤"));
    lines.push(...formatRow(row, widths));
  });
  lines.push(rule(widths, "╘═╧╛"));
  return lines.join("\n");
}
