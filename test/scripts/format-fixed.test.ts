import { describe, expect, it } from "vitest";
import { formatFixed } from "../../scripts/lib/format-fixed";

describe("formatFixed", () => {
  it("rounds an exact tie to the even digit", () => {
    expect(formatFixed(12.25, 1)).toBe("12.2");
    expect(formatFixed(12.75, 1)).toBe("12.8");
    expect(formatFixed(0.125, 2)).toBe("0.12");
    expect(formatFixed(2.5, 0)).toBe("2");
    expect(formatFixed(1.5, 0)).toBe("2");
  });

  it("rounds a negative tie to the even digit", () => {
    expect(formatFixed(-12.25, 1)).toBe("-12.2");
    expect(formatFixed(-2.5, 0)).toBe("-2");
  });

  it("rounds a value that only looks like a tie", () => {
    // 12.35 is stored as 12.3499999999999996447..., and 0.15 as 0.1499999999999999944...
    expect(formatFixed(12.35, 1)).toBe("12.3");
    expect(formatFixed(0.15, 1)).toBe("0.1");
    expect(formatFixed(58.48933742284792, 1)).toBe("58.5");
  });

  it("pads to the requested decimals", () => {
    expect(formatFixed(100, 1)).toBe("100.0");
    expect(formatFixed(1 / 1001, 4)).toBe("0.0010");
    expect(formatFixed(0, 3)).toBe("0.000");
  });
});
