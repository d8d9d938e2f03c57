import { describe, expect, it } from "vitest";
import {
  connectionSettings,
  defaultSettings,
  explainSettings,
  hostSettings,
  mergeSettings,
  type SettingsSources,
  settingText,
  stringifySettings,
} from "../src/settings.ts";

const sources = (overrides: Partial<SettingsSources> = {}): SettingsSources => ({
  host: "x:1324",
  providerSettings: {},
  endpointSettings: {},
  providerMappings: [],
  endpointMappings: [],
  ...overrides,
});

describe("defaults (reference cases 55 and 58)", () => {
  it("55: an RDP endpoint x:1324 with nothing else set (no drive-path keys here)", () => {
    expect(connectionSettings(sources())).toEqual({ hostname: "x", port: "1324", "client-name": "authentik" });
  });

  it.each([
    ["myhost", { hostname: "myhost" }],
    ["host:", { hostname: "host", port: "" }],
    ["10.0.0.1:3389", { hostname: "10.0.0.1", port: "3389" }],
    ["[2001:db8::1]:3389", { hostname: "2001:db8::1", port: "3389" }],
    ["[::1]", { hostname: "::1" }],
    ["  rdp.example.com:22  ", { hostname: "rdp.example.com", port: "22" }],
    // Not a valid host (stored before validation): passed through rather than mangled.
    ["2001:db8::1", { hostname: "2001:db8::1" }],
  ])("58 and IPv6: host %j", (host, expected) => {
    expect(hostSettings(host)).toEqual(expected);
    expect(defaultSettings(host)).toEqual({ ...expected, "client-name": "authentik" });
  });
});

describe("precedence (reference case 56, with the prompt layer last)", () => {
  it("each later layer wins, and leaves become strings", () => {
    const layered = (upTo: number) =>
      connectionSettings(
        sources({
          providerSettings: { level: "provider" },
          endpointSettings: upTo >= 2 ? { level: "endpoint" } : {},
          providerMappings: upTo >= 3 ? [{ name: "m", static_settings: { level: "property_mapping_provider" } }] : [],
          endpointMappings:
            upTo >= 4
              ? [{ name: "m", static_settings: { level: "property_mapping_endpoint", foo: true, bar: 6 } }]
              : [],
          prompt: upTo >= 5 ? { level: "prompt" } : undefined,
        }),
      ).level;
    expect([1, 2, 3, 4, 5].map(layered)).toEqual([
      "provider",
      "endpoint",
      "property_mapping_provider",
      "property_mapping_endpoint",
      "prompt",
    ]);
    const final = connectionSettings(
      sources({
        providerSettings: { level: "provider" },
        endpointSettings: { level: "endpoint" },
        providerMappings: [{ name: "m", static_settings: { level: "property_mapping_provider" } }],
        endpointMappings: [{ name: "m", static_settings: { level: "property_mapping_endpoint", foo: true, bar: 6 } }],
      }),
    );
    expect(final).toEqual({
      hostname: "x",
      port: "1324",
      "client-name": "authentik",
      level: "property_mapping_endpoint",
      foo: "true",
      bar: "6",
    });
  });

  it("mappings apply in name order, not in the order given", () => {
    const settings = connectionSettings(
      sources({
        providerMappings: [
          { name: "b", static_settings: { who: "provider-b" } },
          { name: "a", static_settings: { who: "provider-a", a: 1 } },
        ],
        endpointMappings: [
          { name: "z", static_settings: { last: "endpoint-z" } },
          { name: "y", static_settings: { last: "endpoint-y" } },
        ],
      }),
    );
    expect(settings).toMatchObject({ who: "provider-b", a: "1", last: "endpoint-z" });
  });

  it("settings may override the defaults, and the prompt overrides everything", () => {
    const settings = connectionSettings(
      sources({
        providerSettings: { "client-name": "corp", port: 3390 },
        endpointMappings: [{ name: "m", static_settings: { username: "mapped", password: "mapped" } }],
        prompt: { username: "alice", password: "s3cret" },
      }),
    );
    expect(settings).toEqual({
      hostname: "x",
      port: "3390",
      "client-name": "corp",
      username: "alice",
      password: "s3cret",
    });
  });
});

describe("merge rules", () => {
  it("57: lists append, then render as JSON text", () => {
    expect(connectionSettings(sources({ providerSettings: { a: [1] }, endpointSettings: { a: [2] } })).a).toBe("[1,2]");
  });

  it("objects merge deeply and render as JSON text", () => {
    const merged = mergeSettings({ o: { a: 1, deep: { x: [1] } } }, { o: { b: true, deep: { x: [2], y: "z" } } });
    expect(merged).toEqual({ o: { a: 1, b: true, deep: { x: [1, 2], y: "z" } } });
    expect(stringifySettings(merged)).toEqual({ o: '{"a":1,"deep":{"x":[1,2],"y":"z"},"b":true}' });
  });

  it("a value of another type replaces the earlier one", () => {
    expect(mergeSettings({ a: [1], b: { c: 1 }, d: "x" }, { a: "text", b: [2], d: { e: 1 } })).toEqual({
      a: "text",
      b: [2],
      d: { e: 1 },
    });
  });

  it("null removes a key, at any depth", () => {
    const settings = connectionSettings(
      sources({ providerSettings: { o: { a: 1, b: 2 }, keep: "k" }, endpointSettings: { port: null, o: { a: null } } }),
    );
    expect(settings).toEqual({ hostname: "x", "client-name": "authentik", o: '{"b":2}', keep: "k" });
  });

  it("layers that are not objects are ignored (provider/endpoint settings accept any JSON)", () => {
    const settings = connectionSettings(
      sources({
        providerSettings: ["a"],
        endpointSettings: "text",
        providerMappings: [{ name: "m", static_settings: 5 }],
        prompt: null,
      }),
    );
    expect(settings).toEqual({ hostname: "x", port: "1324", "client-name": "authentik" });
  });

  it("does not mutate its inputs", () => {
    const provider = { o: { a: [1] } };
    const endpoint = { o: { a: [2] } };
    mergeSettings(provider, endpoint);
    expect(provider).toEqual({ o: { a: [1] } });
    expect(endpoint).toEqual({ o: { a: [2] } });
  });

  it("a __proto__ key is an ordinary setting", () => {
    const evil = JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": 1}');
    const settings = connectionSettings(sources({ endpointSettings: evil }));
    expect(Object.getPrototypeOf(settings)).toBe(Object.prototype);
    expect(Object.keys(settings)).toContain("__proto__");
    expect(settings.ok).toBe("1");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ["s", "s"],
    [true, "true"],
    [false, "false"],
    [6, "6"],
    [1.5, "1.5"],
    [-2, "-2"],
    [[1, "a", true], '[1,"a",true]'],
    [{ k: "v" }, '{"k":"v"}'],
  ])("settingText(%j) = %j", (value, expected) => {
    expect(settingText(value)).toBe(expected);
  });
});

describe("explainSettings: each key's value and source", () => {
  it("names the last layer that set a key, masks secrets, and drops keys a later null removed", () => {
    const explained = explainSettings(
      sources({
        providerSettings: { port: 22, username: "p", "drive-path": "/x" },
        endpointSettings: { username: "e", password: "hunter2" },
        providerMappings: [{ name: "b", static_settings: { "color-depth": 16 } }],
        endpointMappings: [
          { name: "a", static_settings: { "color-depth": 24, "drive-path": null } },
          { name: "c", static_settings: { extra: { k: 1 } } },
        ],
        prompt: { username: "typed" },
      }),
    );
    expect(explained).toEqual({
      hostname: { value: "x", source: "default" },
      port: { value: "22", source: "provider" },
      "client-name": { value: "authentik", source: "default" },
      username: { value: "typed", source: "prompt" },
      password: { value: "********", source: "endpoint" },
      "color-depth": { value: "24", source: "mapping:a" },
      extra: { value: '{"k":1}', source: "mapping:c" },
    });
  });

  it("agrees with connectionSettings on every value that is not a secret", () => {
    const input = sources({ providerSettings: { a: [1] }, endpointSettings: { a: [2], b: true } });
    const values = Object.fromEntries(
      Object.entries(explainSettings(input)).map(([key, setting]) => [key, setting.value]),
    );
    expect(values).toEqual(connectionSettings(input));
  });
});
