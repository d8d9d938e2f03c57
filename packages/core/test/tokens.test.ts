import { describe, expect, it } from "vitest";
import { reservedTokenIdentifier } from "../src/tokens.ts";

describe("reservedTokenIdentifier", () => {
  it.each(["ak-outpost-x-api", "AK-Outpost-1", "ak-outpost-"])("%s is reserved", (identifier) => {
    expect(reservedTokenIdentifier(identifier)).toMatch(/reserved/);
  });
  it.each(["ak-outpost", "my-ak-outpost-1", "token"])("%s is free", (identifier) => {
    expect(reservedTokenIdentifier(identifier)).toBe(null);
  });
});
