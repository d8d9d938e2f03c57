import { describe, expect, it } from "vitest";
import { bootstrapTokenProblem, outlivesKey, reservedTokenIdentifier } from "../src/tokens.ts";

describe("reservedTokenIdentifier", () => {
  it.each(["ak-outpost-x-api", "AK-Outpost-1", "ak-outpost-"])("%s is reserved", (identifier) => {
    expect(reservedTokenIdentifier(identifier)).toMatch(/reserved/);
  });
  it.each(["ak-outpost", "my-ak-outpost-1", "token"])("%s is free", (identifier) => {
    expect(reservedTokenIdentifier(identifier)).toBe(null);
  });
});

describe("bootstrapTokenProblem", () => {
  it("accepts 32 characters and more", () => {
    expect(bootstrapTokenProblem("a".repeat(32))).toBe(null);
  });
  it.each(["a".repeat(31), "short", ` ${"a".repeat(40)}`, `${"a".repeat(40)}\n`])("refuses %j", (key) => {
    expect(bootstrapTokenProblem(key)).toMatch(/^BOOTSTRAP_TOKEN /);
  });
});

describe("outlivesKey", () => {
  it("lets a key that never expires set anything", () => {
    expect(outlivesKey({ expiring: false, expires: null }, null)).toBe(false);
  });
  it.each([
    [{ expiring: false, expires: null }, true],
    [{ expiring: true, expires: null }, true],
    [{ expiring: true, expires: 1001 }, true],
    [{ expiring: true, expires: 1000 }, false],
    [{ expiring: true, expires: 10 }, false],
  ])("an expiring key (1000): %j outlives it: %s", (token, outlives) => {
    expect(outlivesKey(token, 1000)).toBe(outlives);
  });
});
