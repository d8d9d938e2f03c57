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
    [{ name: "p3", authorization_flow: 5 }, { authorization_flow: ["Incorrect type. Expected pk value, received int."] }],
    [{ name: "p", authorization_flow: A, property_mappings: "x" }, { property_mappings: ['Expected a list of items but got type "str".'] }],
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
    expect(result).toEqual({ connection_expiry: "hours=1", delete_token_on_disconnect: true, settings: ["a"], authorization_flow: A });
  });
});

describe("dictionary", () => {
  it("refuses lists and scalars, accepts objects", async () => {
    const { dictionary } = await import("../src/fields.ts");
    const schema = v.object({ static_settings: dictionary() });
    for (const value of [[], ["a"], "x", 5, true]) {
      expect(errorsOf(schema, { static_settings: value })).toEqual({ static_settings: ["Value must be a dictionary, and not have any duplicate keys."] });
    }
    expect(errorsOf(schema, { static_settings: null })).toEqual({ static_settings: ["This field may not be null."] });
    expect(v.parse(schema, { static_settings: { a: 1 } })).toEqual({ static_settings: { a: 1 } });
  });
});
