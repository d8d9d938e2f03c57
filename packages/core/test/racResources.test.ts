import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { EndpointRequestSchema, endpointLaunchUrl, PatchedEndpointRequestSchema } from "../src/endpoints.ts";
import { toFieldErrors } from "../src/fields.ts";
import { HOST_FORMAT_MESSAGE } from "../src/host.ts";
import { OutpostRequestSchema, outpostTokenIdentifier, outpostUsername } from "../src/outposts.ts";
import { PatchedRacPropertyMappingRequestSchema, RacPropertyMappingRequestSchema } from "../src/propertyMappings.ts";

const parse = (schema: v.GenericSchema, input: unknown) => {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  return result.success ? { ok: result.output } : { errors: toFieldErrors(result.issues) };
};

const ENDPOINT = { name: "e1", provider: 3, protocol: "rdp", host: "10.0.0.1:3389", auth_mode: "prompt" };

describe("endpoint requests", () => {
  it("29: the required fields alone are enough; strings trimmed", () => {
    expect(parse(EndpointRequestSchema, { ...ENDPOINT, host: " h:22 " })).toEqual({
      ok: { ...ENDPOINT, host: "h:22" },
    });
  });

  it.each([
    [{ auth_mode: undefined }, { auth_mode: ["This field is required."] }],
    [{ protocol: "ftp" }, { protocol: ['"ftp" is not a valid choice.'] }],
    [{ maximum_connections: "x" }, { maximum_connections: ["A valid integer is required."] }],
    [
      { maximum_connections: 2147483648 },
      { maximum_connections: ["Ensure this value is less than or equal to 2147483647."] },
    ],
    [{ provider: "abc" }, { provider: ["Incorrect type. Expected pk value, received str."] }],
    [{ property_mappings: "x" }, { property_mappings: ['Expected a list of items but got type "str".'] }],
    [{ host: "a b" }, { host: [HOST_FORMAT_MESSAGE] }],
    [{ host: "" }, { host: ["This field may not be blank."] }],
    [{ settings: null }, { settings: ["This field may not be null."] }],
  ])("%j -> %j", (overrides, expected) => {
    // JSON has no undefined: a key set to undefined stands for a missing key.
    const body = Object.fromEntries(
      Object.entries({ ...ENDPOINT, ...overrides }).filter(([, value]) => value !== undefined),
    );
    expect(parse(EndpointRequestSchema, body)).toEqual({ errors: expected });
  });

  it("PATCH: every field optional, each still validated", () => {
    expect(parse(PatchedEndpointRequestSchema, {})).toEqual({ ok: {} });
    expect(parse(PatchedEndpointRequestSchema, { maximum_connections: -5 })).toEqual({
      ok: { maximum_connections: -5 },
    });
    expect(parse(PatchedEndpointRequestSchema, { auth_mode: null })).toEqual({
      errors: { auth_mode: ["This field may not be null."] },
    });
  });

  it("launch URL: relative, or null without an application", () => {
    expect(endpointLaunchUrl("app", "0b6f")).toBe("/application/rac/app/0b6f/");
    expect(endpointLaunchUrl(null, "0b6f")).toBeNull();
  });
});

describe("property mapping requests", () => {
  it("41/42/43: static_settings required and an object; arrays refused", () => {
    expect(parse(RacPropertyMappingRequestSchema, { name: "m1", static_settings: { a: "b" } })).toEqual({
      ok: { name: "m1", static_settings: { a: "b" } },
    });
    expect(parse(RacPropertyMappingRequestSchema, { name: "m2" })).toEqual({
      errors: { static_settings: ["This field is required."] },
    });
    for (const value of [["a"], "a", 1, true]) {
      expect(parse(RacPropertyMappingRequestSchema, { name: "m3", static_settings: value })).toEqual({
        errors: { static_settings: ["Value must be a dictionary, and not have any duplicate keys."] },
      });
    }
    expect(parse(PatchedRacPropertyMappingRequestSchema, { static_settings: [] })).toEqual({
      errors: { static_settings: ["Value must be a dictionary, and not have any duplicate keys."] },
    });
  });

  it("expression may be empty; managed nullable but not blank", () => {
    expect(parse(PatchedRacPropertyMappingRequestSchema, { expression: "", managed: null })).toEqual({
      ok: { expression: "", managed: null },
    });
    expect(parse(PatchedRacPropertyMappingRequestSchema, { managed: " " })).toEqual({
      errors: { managed: ["This field may not be blank."] },
    });
  });
});

describe("outposts", () => {
  it("requests: rac only, at least one provider, config an object", () => {
    expect(parse(OutpostRequestSchema, { name: "o", type: "rac", providers: [1, "2"] })).toEqual({
      ok: { name: "o", type: "rac", providers: [1, 2] },
    });
    expect(parse(OutpostRequestSchema, { name: "o", type: "proxy", providers: [], config: [] })).toEqual({
      errors: {
        type: ['"proxy" is not a valid choice.'],
        providers: ["This list may not be empty."],
        config: ["Value must be a dictionary, and not have any duplicate keys."],
      },
    });
  });

  it("service account and token names follow authentik's", () => {
    const uuid = "0b6f3c1e-1d2c-4e5f-8a9b-0c1d2e3f4a5b";
    expect(outpostUsername(uuid)).toBe("ak-outpost-0b6f3c1e1d2c4e5f8a9b0c1d2e3f4a5b");
    expect(outpostTokenIdentifier(uuid)).toBe(`ak-outpost-${uuid}-api`);
  });
});
