import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { toFieldErrors } from "../src/fields.ts";
import { PatchedRacProviderRequestSchema, RacProviderRequestSchema } from "../src/providers.ts";

const A = "6f1c4f5e-8a0b-4c61-9d7e-2b1f0c3d4e5f";
const errorsOf = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  return result.success ? null : toFieldErrors(result.issues);
};

describe("provider request validation (authentik's messages)", () => {
  it.each([
    [{ name: "p2" }, { authorization_flow: ["This field is required."] }],
    [{ name: "p2", authorization_flow: null }, { authorization_flow: ["This field may not be null."] }],
    [{ authorization_flow: A }, { name: ["This field is required."] }],
    [{ name: "", authorization_flow: A }, { name: ["This field may not be blank."] }],
    [{ name: "   ", authorization_flow: A }, { name: ["This field may not be blank."] }],
    [{ name: "p3", authorization_flow: "not-a-uuid" }, { authorization_flow: ["“not-a-uuid” is not a valid UUID."] }],
    [
      { name: "p3", authorization_flow: 5 },
      { authorization_flow: ["Incorrect type. Expected pk value, received int."] },
    ],
    [
      { name: "p", authorization_flow: A, property_mappings: "x" },
      { property_mappings: ['Expected a list of items but got type "str".'] },
    ],
    [{ name: true, authorization_flow: A }, { name: ["Not a valid string."] }],
  ])("%j -> %j", (input, expected) => {
    expect(errorsOf(RacProviderRequestSchema, input)).toEqual(expected);
  });

  it.each([
    [{ connection_expiry: "foo" }, { connection_expiry: ["foo is not in the correct format of 'hours=3;minutes=1'."] }],
    [{ connection_expiry: "" }, { connection_expiry: ["This field may not be blank."] }],
    [{ connection_expiry: null }, { connection_expiry: ["This field may not be null."] }],
    [{ connection_expiry: true }, { connection_expiry: ["Not a valid string."] }],
    [{ connection_expiry: 5 }, { connection_expiry: ["5 is not in the correct format of 'hours=3;minutes=1'."] }],
    [{ delete_token_on_disconnect: "maybe" }, { delete_token_on_disconnect: ["Must be a valid boolean."] }],
    [{ settings: null }, { settings: ["This field may not be null."] }],
  ])("PATCH %j -> %j", (input, expected) => {
    expect(errorsOf(PatchedRacProviderRequestSchema, input)).toEqual(expected);
  });

  it("trims and accepts valid values", () => {
    const result = v.parse(PatchedRacProviderRequestSchema, {
      connection_expiry: "  hours=1  ",
      delete_token_on_disconnect: "true",
      settings: ["a"],
      authorization_flow: A.toUpperCase(),
    });
    expect(result).toEqual({
      connection_expiry: "hours=1",
      delete_token_on_disconnect: true,
      settings: ["a"],
      authorization_flow: A,
    });
  });
});

describe("dictionary", () => {
  it("refuses lists and scalars, accepts objects", async () => {
    const { dictionary } = await import("../src/fields.ts");
    const schema = v.object({ static_settings: dictionary() });
    for (const value of [[], ["a"], "x", 5, true]) {
      expect(errorsOf(schema, { static_settings: value })).toEqual({
        static_settings: ["Value must be a dictionary, and not have any duplicate keys."],
      });
    }
    expect(errorsOf(schema, { static_settings: null })).toEqual({ static_settings: ["This field may not be null."] });
    expect(v.parse(schema, { static_settings: { a: 1 } })).toEqual({ static_settings: { a: 1 } });
  });
});

describe("text fields refuse NUL, as DRF's CharField does", () => {
  it("answers DRF's text for a NUL anywhere in a text field", () => {
    for (const name of ["\u0000", "a\u0000b", " x\u0000"]) {
      expect(errorsOf(PatchedRacProviderRequestSchema, { name })).toEqual({
        name: ["Null characters are not allowed."],
      });
    }
    expect(v.parse(PatchedRacProviderRequestSchema, { name: "a\u0001b" })).toEqual({ name: "a\u0001b" });
  });
});

describe("free-form objects keep every key", () => {
  it("keeps __proto__, constructor and prototype as ordinary keys", async () => {
    const { dictionary } = await import("../src/fields.ts");
    const sent = JSON.parse('{"__proto__": {"x": 1}, "constructor": 2, "prototype": [3], "y": 4}');
    const parsed = v.parse(v.object({ config: dictionary() }), { config: sent });
    expect(JSON.stringify(parsed.config)).toBe(JSON.stringify(sent));
    expect(Object.keys(parsed.config)).toEqual(["__proto__", "constructor", "prototype", "y"]);
  });
});

describe("settings size", () => {
  it("caps a settings object at 64 KiB of JSON", async () => {
    const { MAX_SETTINGS_BYTES } = await import("../src/fields.ts");
    const fits = { a: "x".repeat(MAX_SETTINGS_BYTES - 8) }; // {"a":"…"} is 8 bytes of syntax
    expect(v.parse(PatchedRacProviderRequestSchema, { settings: fits })).toEqual({ settings: fits });
    const over = { a: "é".repeat(MAX_SETTINGS_BYTES / 2) }; // two bytes each in UTF-8
    expect(errorsOf(PatchedRacProviderRequestSchema, { settings: over })).toEqual({
      settings: ["Ensure this value has at most 65536 bytes as JSON."],
    });
  });
});
