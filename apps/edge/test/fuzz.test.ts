/**
 * Fuzzing every route with fast-check: random and malformed bodies, query strings, path ids,
 * headers and content types. Invariants (invariants.ts): never a 5xx, every 4xx in authentik's
 * shape, and a rejected request leaves every table byte-for-byte unchanged (a dump of every row
 * before and after; a table is read again only when test-only triggers counted a committed write to it).
 * A 2xx may change data; its dump becomes the next baseline.
 *
 * The seed is fixed; 600 cases per property by default (about 20 s in all on two cores). FUZZ_RUNS (an environment
 * variable, passed through vitest.config.ts) sets the cases per property for a longer run, e.g. nightly:
 * `FUZZ_RUNS=20000 pnpm exec vitest run test/fuzz.test.ts` in apps/edge.
 */

import { env, exports } from "cloudflare:workers";
import {
  ApplicationRequestSchema,
  ConnectionTokenRequestSchema,
  EndpointRequestSchema,
  FlowRequestSchema,
  GatewayTokenRequestSchema,
  OutpostRequestSchema,
  PermissionAssignSchema,
  RacPropertyMappingRequestSchema,
  RacProviderRequestSchema,
  RESOURCES,
  type ResourceName,
  TokenRequestSchema,
  UserRequestSchema,
} from "@rac-edge/core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CONNECT, launched, makeEndpoint, makeOutpost } from "./connectionFixtures.ts";
import { BASE, get, grant, makeFlow, makeProvider, makeUser, patch, post, unique } from "./helpers.ts";
import {
  changedTables,
  dumpTables,
  fillPath,
  movedTables,
  type RawReply,
  ROUTE_METHODS,
  type RouteMethod,
  send,
  TableWatch,
  violation,
  writeCounts,
} from "./invariants.ts";
import { SUBJECTS } from "./matrix.ts";

/** Cases per property: about 2,400 in all by default (CI); FUZZ_RUNS for a longer local run. */
const RUNS = Number(env.FUZZ_RUNS) > 0 ? Number(env.FUZZ_RUNS) : 600;
// 1234 since issue 15 (a new route and precondition headers changed the sequence; 42 no longer reached a 201).
const SEED = 1234;
const TIMEOUT = 10 * 60_000;

// ---------------------------------------------------------------------------------------------
// Fixtures: one real object of each kind, re-created whenever a successful request removed one.

interface Fixtures {
  flow: { pk: string; key: string };
  provider: { pk: number; key: string };
  user: { pk: number; key: string };
  token: { pk: string; key: string };
  application: { pk: string; key: string };
  endpoint: { pk: string; key: string };
  mapping: { pk: string; key: string };
  outpost: { pk: string; key: string };
  connectionToken: { pk: string; key: string; secret: string };
  event: { pk: string; key: string };
}
type Kind = keyof Fixtures;

/** The fixture that fills a resource's path key: the matrix's subject; `gateway` and `none` have no key. */
const fixtureFor = (name: ResourceName): Kind | null => {
  const subject = SUBJECTS[name];
  return subject === "gateway" || subject === "none" || subject === "mappingAlias" ? null : subject;
};

/** Path prefixes (every descriptor's path and aliases) and their fixtures, from core's descriptors. */
const PATH_FIXTURES: [string, Kind][] = (Object.keys(RESOURCES) as ResourceName[]).flatMap((name) => {
  const kind = fixtureFor(name);
  const { path, aliases } = RESOURCES[name];
  return kind === null ? [] : [path, ...aliases].map((prefix): [string, Kind] => [`/api/v3/${prefix}`, kind]);
});

const fixtureOf = (path: string): Kind => {
  const found = PATH_FIXTURES.find(([prefix]) => path.startsWith(prefix));
  if (found === undefined) throw new Error(`no fuzz fixture for the parameters of ${path}: add it to PATH_FIXTURES`);
  return found[1];
};

let fixtures: Fixtures;
let superuser: { id: number; token: string };
let plain: { id: number; token: string };
/** Holds every object permission on the fixtures: the object-grant code paths. */
let granted: { id: number; token: string };
let outpostToken: string;

async function created<T = any>(path: string, body: unknown): Promise<T> {
  const reply = await post(path, body);
  if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${reply.text}`);
  return reply.body as T;
}

/** What a fixture is built from: when one is re-created, these are too (as if all were new). */
const DEPENDENTS: Partial<Record<Kind, Kind[]>> = {
  flow: ["provider"],
  provider: ["endpoint", "application", "outpost"],
  mapping: ["endpoint"],
  endpoint: ["connectionToken"],
  user: ["token"],
  connectionToken: ["event"],
};

const OBJECT_MODELS: Record<Kind, [string, string]> = {
  flow: ["authentik_flows", "flow"],
  provider: ["authentik_providers_rac", "racprovider"],
  user: ["authentik_core", "user"],
  token: ["authentik_core", "token"],
  application: ["authentik_core", "application"],
  endpoint: ["authentik_providers_rac", "endpoint"],
  mapping: ["authentik_providers_rac", "racpropertymapping"],
  outpost: ["authentik_outposts", "outpost"],
  connectionToken: ["authentik_providers_rac", "connectiontoken"],
  event: ["authentik_events", "event"],
};

/**
 * Creates the fixtures of `kinds` and of everything built from them (all of them at first), keeps the others,
 * and grants `granted` every object permission on the new ones.
 */
async function makeFixtures(kinds: Kind[] = Object.keys(OBJECT_MODELS) as Kind[]): Promise<Fixtures> {
  const renew = new Set<Kind>();
  const add = (kind: Kind) => {
    if (renew.has(kind)) return;
    renew.add(kind);
    for (const dependent of DEPENDENTS[kind] ?? []) add(dependent);
  };
  for (const kind of kinds) add(kind);
  // A launch needs a provider in a launchable state, which fuzzed PATCHes may have left behind: a fresh one.
  if (renew.has("connectionToken")) add("provider");
  const result = { ...fixtures } as Fixtures;
  const make = async <K extends Kind>(kind: K, build: () => Promise<Fixtures[K]>) => {
    if (renew.has(kind)) result[kind] = await build();
  };
  // Independent fixtures at once, then what is built from them.
  await Promise.all([
    make("flow", async () => {
      const flow = await makeFlow();
      return { pk: flow.pk, key: flow.slug };
    }),
    make("mapping", async () => {
      const mapping = await created("/api/v3/propertymappings/provider/rac/", {
        name: unique("fz-mapping"),
        static_settings: { "client-name": "fuzz" },
      });
      return { pk: mapping.pk, key: mapping.pk };
    }),
    make("user", async () => {
      const user = await makeUser();
      return { pk: user.id, key: String(user.id) };
    }),
  ]);
  await Promise.all([
    make("provider", async () => {
      const provider = await created("/api/v3/providers/rac/", {
        name: unique("fz-provider"),
        authorization_flow: result.flow.pk,
      });
      return { pk: provider.pk, key: String(provider.pk) };
    }),
    make("token", async () => {
      const token = await created("/api/v3/core/tokens/", { identifier: unique("fz-token"), user: result.user.pk });
      return { pk: token.pk, key: token.identifier };
    }),
  ]);
  await Promise.all([
    make("endpoint", async () => {
      const endpoint = await makeEndpoint({
        provider: result.provider.pk,
        auth_mode: "prompt",
        property_mappings: [result.mapping.pk],
      });
      return { pk: endpoint.pk, key: endpoint.pk };
    }),
    make("application", async () => {
      const application = await created("/api/v3/core/applications/", {
        name: unique("fz-app"),
        slug: unique("fz-app"),
        provider: result.provider.pk,
      });
      return { pk: application.pk, key: application.slug };
    }),
    make("outpost", async () => {
      const outpost = await makeOutpost([result.provider.pk]);
      outpostToken = outpost.token;
      return { pk: outpost.pk, key: outpost.pk };
    }),
  ]);
  await make("connectionToken", async () => {
    const connection = await launched(result.endpoint.pk, { settings: { username: "fuzz", password: "fuzz" } });
    return { pk: connection.pk, key: connection.pk, secret: connection.token };
  });
  // The launch's own event (events are read only: no request removes it).
  await make("event", async () => {
    const event = await env.DB.prepare(
      "SELECT event_uuid FROM events WHERE json_extract(context, '$.connection_token') = ?1",
    )
      .bind(result.connectionToken.pk)
      .first<string>("event_uuid");
    return { pk: event!, key: event! };
  });
  await Promise.all(
    [...renew].map((kind) => {
      const [app, model] = OBJECT_MODELS[kind];
      const permissions = ["view", "change", "delete"].map((action) => `${app}.${action}_${model}`);
      return grant(granted.id, permissions, { model: `${app}.${model}`, pk: result[kind].pk });
    }),
  );
  return result;
}

/** Whether a successful request may have removed or renamed a fixture (then they are checked). */
let dirty = false;
/** Every table as it was after the last case. */
const watch = new TableWatch();

/** The fixtures, those a successful request deleted re-created (with what is built from them), renames followed. */
async function currentFixtures(): Promise<Fixtures> {
  if (!dirty) return fixtures;
  dirty = false;
  const f = fixtures;
  const checks: [Kind, D1PreparedStatement][] = [
    ["flow", env.DB.prepare("SELECT slug AS key FROM flows WHERE uuid = ?1").bind(f.flow.pk)],
    ["provider", env.DB.prepare("SELECT id AS key FROM providers WHERE id = ?1").bind(f.provider.pk)],
    ["user", env.DB.prepare("SELECT id AS key FROM users WHERE id = ?1").bind(f.user.pk)],
    ["token", env.DB.prepare("SELECT identifier AS key FROM tokens WHERE uuid = ?1").bind(f.token.pk)],
    ["application", env.DB.prepare("SELECT slug AS key FROM applications WHERE uuid = ?1").bind(f.application.pk)],
    ["endpoint", env.DB.prepare("SELECT uuid AS key FROM endpoints WHERE uuid = ?1").bind(f.endpoint.pk)],
    ["mapping", env.DB.prepare("SELECT uuid AS key FROM property_mappings WHERE uuid = ?1").bind(f.mapping.pk)],
    ["outpost", env.DB.prepare("SELECT uuid AS key FROM outposts WHERE uuid = ?1").bind(f.outpost.pk)],
    [
      "connectionToken",
      env.DB.prepare("SELECT uuid AS key FROM connection_tokens WHERE uuid = ?1").bind(f.connectionToken.pk),
    ],
  ];
  const results = await env.DB.batch<{ key: string | number }>(checks.map(([, statement]) => statement));
  const keys = new Map(checks.map(([kind], index) => [kind, results[index]!.results[0]?.key]));
  for (const kind of ["flow", "token", "application"] as const) {
    const key = keys.get(kind);
    if (key !== undefined) f[kind].key = String(key);
  }
  const missing = [...keys].filter(([, key]) => key === undefined).map(([kind]) => kind);
  if (missing.length > 0) {
    // A kept fixture a fuzzed PATCH left unusable for building the new ones: all of them anew.
    fixtures = await makeFixtures(missing).catch(() => makeFixtures());
  }
  return fixtures;
}

// ---------------------------------------------------------------------------------------------
// Generators. Placeholders ("@provider", ...) stand for the fixtures' current values and are
// replaced when a case runs, so generated cases stay valid after fixtures are re-created.

function resolvePlaceholder(value: string, f: Fixtures): unknown {
  switch (value) {
    case "@flow":
      return f.flow.pk;
    case "@flowSlug":
      return f.flow.key;
    case "@provider":
      return f.provider.pk;
    case "@user":
      return f.user.pk;
    case "@token":
      return f.token.key;
    case "@mapping":
      return f.mapping.pk;
    case "@endpoint":
      return f.endpoint.pk;
    case "@outpost":
      return f.outpost.pk;
    case "@connectionToken":
      return f.connectionToken.pk;
    case "@secret":
      return f.connectionToken.secret;
    default:
      return value;
  }
}

function resolve(value: unknown, f: Fixtures): unknown {
  if (value instanceof Huge || value instanceof Deep) return value.build();
  if (typeof value === "string") return resolvePlaceholder(value, f);
  if (Array.isArray(value)) return value.map((item) => resolve(item, f));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item, f)]));
  return value;
}

/** Percent-encodes every byte of a string's UTF-8 form that is not unreserved (lone surrogates included). */
const encodeSegment = (text: string): string =>
  [...new TextEncoder().encode(text)]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");

/** Printable ASCII only: what a header value can carry. */
const headerSafe = (text: string): string => text.replace(/[^\x20-\x7e]/g, "");

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
);

/** Path ids that name no object: malformed, unknown, huge, encoded slashes and dots, unicode. */
const garbageId = fc.oneof(
  fc.uuid().map(String),
  // Plain small integers could name the fuzzing superuser itself; those come from the fixtures.
  anyString.filter((text) => text.trim() !== "" && !/^\s*\d{1,15}\s*$/.test(text)).map(encodeSegment),
  fc.bigInt({ min: 10n ** 9n, max: 10n ** 40n }).map(String),
  fc.integer({ min: -2_000_000_000, max: -1 }).map(String),
  fc.constantFrom(
    "0",
    "-0",
    "1e3",
    "0x10",
    "1.5",
    "%2F",
    "a%2Fb",
    "%2e%2e",
    "..",
    "%00",
    "%E0%A4%A",
    "%",
    "null",
    "NaN",
    "Infinity",
    "%EF%BC%91",
    "%20",
    "a%3Fb=1",
  ),
);

/** A path with its parameters filled: mostly the fixture's key (as a placeholder), else garbage. */
const pathFor = (route: RouteMethod, realWeight: number) => {
  const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  if (params.length === 0) return fc.constant(route.path);
  const kind = fixtureOf(route.path);
  return fc
    .array(
      fc.oneof(
        { weight: realWeight, arbitrary: fc.constant(`@path:${kind}`) },
        { weight: 10 - realWeight, arbitrary: garbageId },
      ),
      {
        minLength: params.length,
        maxLength: params.length,
      },
    )
    .map((values) => {
      let index = 0;
      return fillPath(route.path, () => values[index++]!);
    });
};

const resolvePath = (path: string, f: Fixtures) =>
  path.replace(/@path:(\w+)/g, (_, kind: Kind) => encodeSegment(f[kind].key));

/** Request fields of each route, from core's request schemas (most specific prefix first). */
const SCHEMA_FIELDS: [string, string[]][] = [
  ["/api/v3/rac/endpoints/:key/launch/", ["settings"]],
  ["/api/v3/rac/gateway/", Object.keys(GatewayTokenRequestSchema.entries)],
  ["/api/v3/rbac/", Object.keys(PermissionAssignSchema.entries)],
  ["/api/v3/flows/", Object.keys(FlowRequestSchema.entries)],
  ["/api/v3/providers/rac/", Object.keys(RacProviderRequestSchema.entries)],
  ["/api/v3/core/users/", Object.keys(UserRequestSchema.entries)],
  ["/api/v3/core/tokens/", Object.keys(TokenRequestSchema.entries)],
  ["/api/v3/core/applications/", Object.keys(ApplicationRequestSchema.entries)],
  ["/api/v3/rac/endpoints/", Object.keys(EndpointRequestSchema.entries)],
  ["/api/v3/propertymappings/", Object.keys(RacPropertyMappingRequestSchema.entries)],
  ["/api/v3/outposts/", Object.keys(OutpostRequestSchema.entries)],
  ["/api/v3/rac/connection_tokens/", Object.keys(ConnectionTokenRequestSchema.entries)],
];

const fieldsOf = (path: string): string[] => SCHEMA_FIELDS.find(([prefix]) => path.startsWith(prefix))?.[1] ?? [];

const slugLike = fc.stringMatching(/^[-a-zA-Z0-9_]{1,60}$/);
const jsonish = fc.jsonValue({ maxDepth: 3 });
/**
 * Huge and deeply nested values are built only when a case runs: fast-check prints (and recurses
 * into) the generated values, so they are kept as small descriptions until then.
 */
class Huge {
  constructor(readonly length: number) {}
  build(): string {
    return "é".repeat(this.length);
  }
}
class Deep {
  constructor(
    readonly depth: number,
    readonly arrays: boolean,
  ) {}
  build(): unknown {
    let value: unknown = 1;
    for (let level = 0; level < this.depth; level++) value = this.arrays ? [value] : { a: value };
    return value;
  }
}
const hugeString = fc.integer({ min: 256, max: 200_000 }).map((length) => new Huge(length));
/** Values nested deeper than anyone needs: arrays or objects, up to thousands of levels. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 10, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) => new Deep(depth, arrays));
const wrongType = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53 + 2,
  -1e308,
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "0",
  "true",
  "\ud800",
  "x\udc00",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  JSON.parse('{"__proto__": 1, "constructor": {"prototype": 2}}'),
  [],
  {},
  [null],
  [[]],
  { a: { b: [] } },
  "x".repeat(256),
);

/** Values that are plausible for a field (often valid), so that requests get past the first check. */
const PLAUSIBLE: Record<string, fc.Arbitrary<unknown>> = {
  slug: slugLike,
  identifier: fc.oneof(slugLike, fc.constant("@token")),
  designation: fc.constantFrom("authorization", "authentication", "invalidation", "enrollment", "bogus"),
  authorization_flow: fc.constantFrom("@flow", null, "@flowSlug"),
  authentication_flow: fc.constantFrom("@flow", null),
  provider: fc.constantFrom("@provider", null, "@provider "),
  providers: fc.array(fc.constantFrom<unknown>("@provider", 1, "x"), { maxLength: 3 }),
  property_mappings: fc.array(fc.constantFrom<unknown>("@mapping", "@endpoint", "not-a-uuid"), { maxLength: 3 }),
  endpoint: fc.constantFrom("@endpoint", "@mapping"),
  user: fc.constantFrom("@user", 1, -1),
  pk: fc.constantFrom("@connectionToken", "@endpoint"),
  protocol: fc.constantFrom("rdp", "vnc", "ssh", "telnet"),
  host: fc.constantFrom("10.0.0.1", "10.0.0.1:22", "[::1]:3389", "host:99999", "[::1", "a b"),
  auth_mode: fc.constantFrom("static", "prompt"),
  maximum_connections: fc.integer(),
  connection_expiry: fc.constantFrom(
    "hours=1",
    "minutes=-5",
    "seconds=0",
    "weeks=1e3",
    "hours=1;minutes=30",
    "years=1",
    "hours=",
    "microseconds=0.4",
    "hours=1e-400",
    "seconds=-0",
  ),
  settings: fc.oneof(jsonish, fc.constant({ username: "u", password: "p" })),
  static_settings: fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 4 }),
  config: fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 4 }),
  attributes: fc.dictionary(fc.string({ maxLength: 8 }), jsonish, { maxKeys: 4 }),
  type: fc.constantFrom("rac", "proxy", "internal", "external", "service_account", "internal_service_account"),
  permissions: fc.array(
    fc.constantFrom(
      "authentik_flows.view_flow",
      "authentik_core.add_token",
      "nope",
      "authentik_providers_rac.view_endpoint",
    ),
    {
      maxLength: 3,
    },
  ),
  model: fc.constantFrom(
    "authentik_flows.flow",
    "authentik_providers_rac.endpoint",
    "authentik_core.user",
    "nope",
    null,
  ),
  object_pk: fc.constantFrom("@flow", "@endpoint", "@user", "1", "nope", null),
  token: fc.constantFrom("@secret", "nope"),
  expires: fc.oneof(
    fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom("2024-02-31T00:00", "tomorrow", null),
  ),
  email: fc.constantFrom("a@b.c", "not-an-email", ""),
  path: fc.constantFrom("users", "a/b", "/x/", ""),
  groups: fc.array(fc.uuid(), { maxLength: 2 }),
  policy_engine_mode: fc.constantFrom("any", "all", "none"),
  meta_launch_url: fc.constantFrom("https://x.test/", "javascript:alert(1)", ""),
};

const fieldValue = (field: string) =>
  fc.oneof(
    { weight: 4, arbitrary: PLAUSIBLE[field] ?? anyString },
    { weight: 3, arbitrary: wrongType },
    { weight: 2, arbitrary: jsonish },
    { weight: 1, arbitrary: anyString },
    { weight: 1, arbitrary: hugeString },
    { weight: 1, arbitrary: deeplyNested },
  );

/** An object body for a route: some of its fields (plausible or wrong), sometimes unknown keys. */
const objectBody = (fields: string[]) =>
  fc
    .tuple(
      fields.length === 0
        ? fc.constant({})
        : fc.record(Object.fromEntries(fields.map((field) => [field, fieldValue(field)])), { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 10 }), jsonish, { maxKeys: 2 }),
    )
    .map(([known, extra]) => ({ ...extra, ...known }));

/** Free-text fields: any short text is valid there. */
const TEXT_FIELDS = [
  "name",
  "title",
  "username",
  "description",
  "expression",
  "meta_description",
  "meta_publisher",
  "group",
];
/**
 * A body of the fields with plausible values and nothing else (other optional fields left out):
 * creates and updates that can succeed, so the fuzzer also walks the success paths.
 */
const plausibleBody = (fields: string[]) =>
  fc.record(
    Object.fromEntries(
      fields.flatMap((field) => {
        if (PLAUSIBLE[field]) return [[field, PLAUSIBLE[field]]];
        return TEXT_FIELDS.includes(field) ? [[field, fc.stringMatching(/^[a-z][a-z0-9 ]{0,20}$/)]] : [];
      }),
    ),
  );

type Body =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: number[] }
  | { kind: "oversized" };

/**
 * JSON texts whose values JavaScript could store differently than sent: lone surrogates, numbers
 * beyond 2^53 or infinite, NUL, prototype keys (`@field` is one of the route's fields).
 */
const UNSTORABLE_TEXTS = [
  '{"@field":"\\ud800"}',
  '{"@field":"a\\udfff"}',
  '{"@field":{"\\udbff":1}}',
  '{"@field":1e309}',
  '{"@field":{"a":-1e400}}',
  '{"@field":9007199254740993}',
  '{"@field":{"a":[12345678901234567890]}}',
  '{"@field":{"a":1e-400}}',
  '{"@field":"a\\u0000b"}',
  '{"@field":{"__proto__":{"x":1},"constructor":{"prototype":[]}}}',
];

/** Bodies that are not UTF-8: a lone continuation byte, an overlong slash, a cut sequence, a surrogate. */
const NOT_UTF8: number[][] = [
  [...'{"name":"'].map((c) => c.charCodeAt(0)).concat([0x80, 0x22, 0x7d]),
  [...'{"name":"'].map((c) => c.charCodeAt(0)).concat([0xc0, 0xaf, 0x22, 0x7d]),
  [...'{"settings":{"a":"'].map((c) => c.charCodeAt(0)).concat([0xe2, 0x82, 0x22, 0x7d, 0x7d]),
  [...'{"name":"'].map((c) => c.charCodeAt(0)).concat([0xed, 0xa0, 0x80, 0x22, 0x7d]),
  [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00],
];

const bodyFor = (path: string): fc.Arbitrary<Body> =>
  fc.oneof(
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...UNSTORABLE_TEXTS), fc.constantFrom("name", "settings", ...fieldsOf(path)))
        .map(([text, field]): Body => ({ kind: "text", text: text.replace("@field", field) })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_UTF8).map((bytes): Body => ({ kind: "bytes", bytes })) },
    { weight: 6, arbitrary: plausibleBody(fieldsOf(path)).map((value): Body => ({ kind: "json", value })) },
    { weight: 12, arbitrary: objectBody(fieldsOf(path)).map((value): Body => ({ kind: "json", value })) },
    { weight: 2, arbitrary: jsonish.map((value): Body => ({ kind: "json", value })) },
    { weight: 2, arbitrary: deeplyNested.map((value): Body => ({ kind: "json", value })) },
    { weight: 2, arbitrary: anyString.map((text): Body => ({ kind: "text", text })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          "",
          " ",
          "{",
          "[",
          "null",
          '{"a":',
          "\ufeff{}",
          "{}{}",
          "NaN",
          "{'a':1}",
          '{"a":1,}',
          "1e999",
          '"text"',
          "[1,2]",
          '{"__proto__":{"x":1}}',
        )
        .map((text): Body => ({ kind: "text", text })),
    },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: "none" }) },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: "oversized" }) },
  );

function bodyText(body: Body, f: Fixtures): string | Uint8Array | undefined {
  switch (body.kind) {
    case "none":
      return undefined;
    case "bytes":
      return new Uint8Array(body.bytes);
    case "text":
      return body.text;
    case "oversized":
      return JSON.stringify({ name: "x".repeat(1024 * 1024) });
    case "json":
      return JSON.stringify(resolve(body.value, f));
  }
}

const QUERY_KEYS = [
  "page",
  "page_size",
  "ordering",
  "search",
  "name",
  "slug",
  "provider",
  "endpoint",
  "session__user",
  "is_active",
  "is_superuser",
  "uuid",
  "type",
  "managed",
  "providers_by_pk",
  "providers__isnull",
  "application__isnull",
  "name__iexact",
  "name__icontains",
  "identifier",
  "intent",
  "description",
  "expiring",
  "user__username",
  "username",
  "email",
  "path",
  "group",
  "designation",
  "superuser_full_list",
];
const ORDERING_FIELDS = [
  "pk",
  "name",
  "slug",
  "username",
  "expires",
  "provider",
  "endpoint__name",
  "maximum_connections",
  "identifier",
  "bogus",
  "?",
  "",
];

const queryValue = fc.oneof(
  anyString,
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.constantFrom(
    "last",
    "0",
    "-1",
    "1e3",
    "true",
    "false",
    "yes",
    "",
    " ",
    "1000000",
    "2",
    "@provider",
    "@endpoint",
    "@user",
    "@token",
    "@flowSlug",
  ),
  fc.uuid().map(String),
  fc
    .array(fc.tuple(fc.boolean(), fc.constantFrom(...ORDERING_FIELDS)), { maxLength: 8 })
    .map((terms) => terms.map(([desc, field]) => (desc ? "-" : "") + field).join(",")),
  // Many search terms at once.
  fc
    .array(fc.string({ minLength: 1, maxLength: 4, unit: "grapheme-ascii" }), { minLength: 10, maxLength: 300 })
    .map((terms) => terms.join(" ")),
  fc.integer({ min: 256, max: 10_000 }).map((length) => "é".repeat(length)),
);

type Query = { kind: "pairs"; pairs: [string, string][] } | { kind: "raw"; text: string };

const manyTerms = fc
  .array(fc.string({ minLength: 1, maxLength: 4, unit: "grapheme-ascii" }), { minLength: 10, maxLength: 300 })
  .map((terms) => terms.join(" "));
/** The parameters every list reads, with values chosen to reach their edges. */
const listPairs = fc.array(
  fc.oneof(
    fc.tuple(fc.constant("search"), fc.oneof(manyTerms, anyString)),
    fc.tuple(
      fc.constantFrom("page", "page_size"),
      fc.oneof(
        fc.constantFrom("last", "0", "-1", "1", "2", "1000", "1001", "1e2", "99999999999999999999", " 3 ", "", "1.0"),
        anyString,
      ),
    ),
    fc.tuple(fc.constant("ordering"), queryValue),
  ),
  { maxLength: 3 },
);
const randomPairs = fc.array(
  fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...QUERY_KEYS) }, anyString), queryValue),
  { maxLength: 6 },
);

const queryArb: fc.Arbitrary<Query> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .tuple(listPairs, randomPairs)
      .map(([list, random]): Query => ({ kind: "pairs", pairs: [...list, ...random] })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string({ unit: "grapheme-ascii", maxLength: 40 }),
        fc.constantFrom("%", "a=%zz", "&&&=", "page=1&page=2", "=", "search=%00", "ordering=-"),
      )
      .map((text): Query => ({ kind: "raw", text: text.replace(/[#\s]/g, "") })),
  },
);

function queryText(query: Query, f: Fixtures): string {
  if (query.kind === "raw") return query.text === "" ? "" : `?${query.text}`;
  if (query.pairs.length === 0) return "";
  const params = new URLSearchParams(query.pairs.map(([key, value]) => [key, String(resolvePlaceholder(value, f))]));
  return `?${params.toString()}`;
}

type Caller = "superuser" | "plain" | "granted" | "outpost" | "none" | { header: string };

const callerArb: fc.Arbitrary<Caller> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Caller>("superuser") },
  { weight: 1, arbitrary: fc.constantFrom<Caller>("plain", "granted", "outpost", "none") },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "Bearer",
          "Bearer ",
          "Basic Zm9vOmJhcg==",
          "Token abc",
          "Bearer a b c",
          "bearer",
          "Bearer\tx",
          "Bearer @superuser x",
        ),
        fc.string({ unit: "grapheme-ascii", maxLength: 80 }).map((text) => `Bearer ${text}`),
        fc.string({ unit: "grapheme-ascii", maxLength: 80 }),
        fc.string({ unit: "grapheme-ascii", maxLength: 20 }).map((scheme) => `${scheme} @superuser`),
      )
      .map((header): Caller => ({ header: headerSafe(header) })),
  },
);

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/vnd.api+json",
  "application/json-patch+json",
  "text/plain",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "*/*",
  "application/",
  ";",
];
const contentTypeArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant<string | null>("application/json") },
  { weight: 3, arbitrary: fc.constantFrom<string | null>(...CONTENT_TYPES, null) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 40 }).map((text): string | null => headerSafe(text)),
  },
);

function authorization(caller: Caller): string | undefined {
  if (caller === "none") return undefined;
  if (typeof caller === "object") return caller.header.replaceAll("@superuser", superuser.token);
  const tokens = { superuser: superuser.token, plain: plain.token, granted: granted.token, outpost: outpostToken };
  return `Bearer ${tokens[caller]}`;
}

interface Case {
  route: RouteMethod;
  method: string;
  path: string;
  query: Query;
  caller: Caller;
  contentType: string | null;
  body: Body;
  /** Preconditions and retries (issue 15): If-Match, If-None-Match, Idempotency-Key, x-d1-bookmark. */
  extra: Record<string, string>;
}

/** Few idempotency keys, so they repeat with other bodies (422); stale and odd ETags (412); bookmarks. */
const preconditionArb: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  fc.record(
    {
      "if-match": fc.constantFrom('"stale"', "*", 'W/"x"', '"a", "b"', "garbage"),
      "if-none-match": fc.constantFrom('"stale"', "*", "W/*"),
      "idempotency-key": fc.constantFrom("fuzz-key-1", "fuzz-key-2", "bad key", "x".repeat(300)),
      "x-d1-bookmark": fc.constantFrom("00000000-00000001-00000000-00000000000000000000000000000000", "nonsense"),
    },
    { requiredKeys: [] },
  ),
);

// ---------------------------------------------------------------------------------------------
// Running a case.

let cases = 0;
const statuses = new Map<number, number>();

async function run(c: Case): Promise<void> {
  const f = await currentFixtures();
  // The fixtures' own writes are not the case's.
  await watch.sync();
  const headers: Record<string, string> = {};
  const auth = authorization(c.caller);
  if (auth !== undefined) headers.authorization = auth;
  const body = c.method === "GET" || c.method === "HEAD" ? undefined : bodyText(c.body, f);
  if (c.contentType !== null && body !== undefined) headers["content-type"] = c.contentType;
  Object.assign(headers, c.extra);
  const path = resolvePath(c.path, f) + queryText(c.query, f);
  const reply: RawReply = await send(c.method, path, headers, body);
  // Only the tables a committed write touched can differ: those are read again and compared.
  const { before, after } = await watch.sync();
  const problem = violation(c.method, reply, before, after);
  cases++;
  statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
  if (reply.status < 300 && c.method !== "GET" && c.method !== "HEAD" && c.method !== "OPTIONS") dirty = true;
  if (problem !== null) {
    const text = typeof body === "string" ? body : body === undefined ? undefined : `bytes ${[...body].join(",")}`;
    const shown =
      text === undefined ? "" : ` body ${text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text}`;
    const headers = `[auth ${auth?.slice(0, 60) ?? "none"}, content-type ${c.contentType}]`;
    throw new Error(`${c.method} ${path.slice(0, 300)} ${headers}${shown}\n  -> ${problem}`);
  }
}

const check = (arbitrary: fc.Arbitrary<Case>) =>
  fc.assert(
    fc.asyncProperty(arbitrary, (c) => run(c)),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );

const OTHER_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
const WRITES = ROUTE_METHODS.filter((route) => route.method !== "GET" && route.method !== "DELETE");
const READS = ROUTE_METHODS.filter((route) => route.method === "GET");

beforeAll(async () => {
  superuser = await makeUser({ superuser: true });
  plain = await makeUser();
  granted = await makeUser();
  // Setup requests use the bootstrap admin; fuzzed ones the users above, so that no case can
  // delete or demote the account that re-creates the fixtures.
  fixtures = await makeFixtures();
}, 60_000);

describe("fuzzing every route (seed 1234)", () => {
  it(
    "bodies: random, wrong-typed, huge, unicode, deeply nested and non-JSON",
    async () => {
      await check(
        fc.constantFrom(...WRITES).chain((route) =>
          fc.record({
            route: fc.constant(route),
            method: fc.constant<string>(route.method),
            path: pathFor(route, 9),
            query: fc.constant<Query>({ kind: "pairs", pairs: [] }),
            caller: fc.oneof(
              { weight: 9, arbitrary: fc.constant<Caller>("superuser") },
              fc.constantFrom<Caller>("granted", "plain", "outpost"),
            ),
            contentType: fc.oneof(
              { weight: 9, arbitrary: fc.constant<string | null>("application/json") },
              contentTypeArb,
            ),
            body: bodyFor(route.path),
            extra: fc.constant<Record<string, string>>({}),
          }),
        ),
      );
    },
    TIMEOUT,
  );

  it(
    "query strings: random keys and values, page, page_size, ordering, search and filters",
    async () => {
      await check(
        fc.constantFrom(...READS).chain((route) =>
          fc.record({
            route: fc.constant(route),
            method: fc.constant<string>("GET"),
            path: pathFor(route, 8),
            query: queryArb,
            caller: fc.oneof(
              { weight: 8, arbitrary: fc.constant<Caller>("superuser") },
              fc.constantFrom<Caller>("granted", "plain", "outpost"),
            ),
            contentType: fc.constant<string | null>(null),
            body: fc.constant<Body>({ kind: "none" }),
            extra: fc.constant<Record<string, string>>({}),
          }),
        ),
      );
    },
    TIMEOUT,
  );

  it(
    "path ids: malformed, unknown, huge, encoded slashes, on every route and method",
    async () => {
      await check(
        fc.constantFrom(...ROUTE_METHODS.filter((route) => route.path.includes(":"))).chain((route) =>
          fc.record({
            route: fc.constant(route),
            method: fc.oneof(
              { weight: 8, arbitrary: fc.constant<string>(route.method) },
              fc.constantFrom(...OTHER_METHODS),
            ),
            path: pathFor(route, 3),
            query: fc.constant<Query>({ kind: "pairs", pairs: [] }),
            caller: fc.oneof(
              { weight: 8, arbitrary: fc.constant<Caller>("superuser") },
              fc.constantFrom<Caller>("granted", "plain"),
            ),
            contentType: fc.constant<string | null>("application/json"),
            body: fc.oneof(
              {
                weight: 3,
                arbitrary: objectBody(fieldsOf(route.path)).map((value): Body => ({ kind: "json", value })),
              },
              bodyFor(route.path),
            ),
            extra: preconditionArb,
          }),
        ),
      );
    },
    TIMEOUT,
  );

  it(
    "headers: random Authorization values and content types, on every route and method",
    async () => {
      await check(
        fc.constantFrom(...ROUTE_METHODS).chain((route) =>
          fc.record({
            route: fc.constant(route),
            method: fc.oneof(
              { weight: 8, arbitrary: fc.constant<string>(route.method) },
              fc.constantFrom(...OTHER_METHODS),
            ),
            path: pathFor(route, 8),
            query: fc.oneof({ weight: 3, arbitrary: fc.constant<Query>({ kind: "pairs", pairs: [] }) }, queryArb),
            caller: callerArb,
            contentType: contentTypeArb,
            body: bodyFor(route.path),
            extra: fc.constant<Record<string, string>>({}),
          }),
        ),
      );
    },
    TIMEOUT,
  );

  it("reached every kind of answer: successes, field errors, 403, 404, 405, 412, 413 and 415", () => {
    // A fuzzer that only ever hit one branch would prove little.
    for (const status of [200, 201, 204, 400, 403, 404, 405, 412, 413, 415])
      expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
    expect(cases).toBeGreaterThanOrEqual(4 * RUNS);
  });
});

describe("the unchanged-tables check", () => {
  it("a committed write moves its table's write count and the dump; a rolled back one neither", async () => {
    const flow = await makeFlow();
    const [counts, dump] = [await writeCounts(), await dumpTables()];
    const rename = env.DB.prepare("UPDATE flows SET title = ?1 WHERE uuid = ?2");
    await expect(
      env.DB.batch([
        rename.bind("renamed", flow.pk),
        // A duplicate key: fails when run, after the rename, so the batch rolls back.
        env.DB.prepare("INSERT INTO flows SELECT * FROM flows WHERE uuid = ?1").bind(flow.pk),
      ]),
    ).rejects.toThrow(/UNIQUE|PRIMARY/);
    expect((await movedTables(counts))[0]).toEqual([]);
    expect(await dumpTables()).toBe(dump);
    await rename.bind("Renamed", flow.pk).run();
    expect((await movedTables(counts))[0]).toEqual(["flows", "sqlite_sequence"]);
    expect(changedTables(dump, await dumpTables())).toContain("flows");
  });
});

describe("regressions found by the fuzzer", () => {
  it("a search with many terms is answered (D1 binds at most 100 values per statement)", async () => {
    const flow = await makeFlow(unique("needle-haystack"));
    const many = (term: string, count: number) => Array.from({ length: count }, () => term).join(" ");
    for (const path of [
      "/api/v3/flows/instances/",
      "/api/v3/core/tokens/",
      "/api/v3/core/applications/",
      "/api/v3/rac/connection_tokens/",
    ]) {
      const reply = await get(`${path}?search=${encodeURIComponent(many("zz", 150))}`);
      expect(reply.status, path).toBe(200);
      expect(reply.body.results, path).toEqual([]);
    }
    // Every term must still match one of the fields, whatever their number.
    const search = async (terms: string) =>
      (await get(`/api/v3/flows/instances/?search=${encodeURIComponent(terms)}`)).body.results.map((f: any) => f.pk);
    expect(await search(many("NEEDLE", 120))).toEqual([flow.pk]);
    expect(await search(`${many("needle", 60)} ${many(flow.slug.slice(-8), 60)} haystack`)).toEqual([flow.pk]);
    expect(await search(`${many("needle", 60)} absent`)).toEqual([]);
  });

  it("a page number too large for any list is 404 Invalid page., not a server error", async () => {
    for (const page of ["99999999999999999999", "9007199254740993", "9007199254741"]) {
      expect(await get(`/api/v3/providers/rac/?page=${page}`), page).toMatchObject({
        status: 404,
        body: { detail: "Invalid page." },
      });
      expect(await get(`/api/v3/rac/connection_tokens/?page=${page}&page_size=1`), page).toMatchObject({
        status: 404,
        body: { detail: "Invalid page." },
      });
    }
    expect((await get("/api/v3/providers/rac/?page=1")).status).toBe(200);
  });

  it("JSON nested deeper than 100 levels is a 400 parse error, also where a message would print it", async () => {
    const provider = await makeProvider();
    const nested = (levels: number) => {
      let value: unknown = "x";
      for (let level = 0; level < levels; level++) value = [value];
      return value;
    };
    // The body object is the first level: 99 nested lists inside it are 100 levels.
    expect((await patch(`/api/v3/providers/rac/${provider.pk}/`, { settings: nested(99) })).status).toBe(200);
    const refused = await patch(`/api/v3/providers/rac/${provider.pk}/`, { settings: nested(100) });
    expect(refused).toMatchObject({
      status: 400,
      body: { detail: "JSON parse error - nested deeper than 100 levels" },
    });
    // Were 500s: a choice's message printed the nested value (stack overflow), and SQLite's JSON
    // functions (gateway connect) refused stored static_settings deeper than 1000 levels.
    const choice = await post("/api/v3/outposts/instances/", {
      name: unique("outpost"),
      type: nested(5000),
      providers: [provider.pk],
    });
    expect(choice).toMatchObject({ status: 400, body: { detail: "JSON parse error - nested deeper than 100 levels" } });
    const mapping = await post("/api/v3/propertymappings/provider/rac/", {
      name: unique("mapping"),
      static_settings: { a: nested(1200) },
    });
    expect(mapping).toMatchObject({
      status: 400,
      body: { detail: "JSON parse error - nested deeper than 100 levels" },
    });
    const objects = `{"settings": ${'{"a":'.repeat(3000)}1${"}".repeat(3000)}}`;
    expect((await post(`/api/v3/providers/rac/`, objects, { raw: true })).status).toBe(400);
  });
});

describe("input is stored exactly as sent, or refused with nothing changed", () => {
  /** Sends a raw body as the superuser; the answer must be `status` and every table unchanged. */
  async function refused(method: string, path: string, body: string | Uint8Array, status = 400) {
    const before = await dumpTables();
    const reply = await send(
      method,
      path,
      { authorization: `Bearer ${superuser.token}`, "content-type": "application/json" },
      body,
    );
    expect(reply.status, reply.text).toBe(status);
    expect(violation(method, reply, before, await dumpTables())).toBeNull();
    return reply.body;
  }

  it("refuses lone surrogates in strings and keys, and bodies that are not UTF-8", async () => {
    const provider = await makeProvider();
    const path = `/api/v3/providers/rac/${provider.pk}/`;
    const unicode = { detail: "JSON parse error - strings must be well-formed Unicode (a lone surrogate was found)" };
    for (const text of [
      '{"name":"\\ud800"}',
      '{"name":"x\\udc00y"}',
      '{"settings":{"\\udbff":1}}',
      '{"settings":["\\ud83d"]}',
    ]) {
      expect(await refused("PATCH", path, text), text).toEqual(unicode);
    }
    for (const bytes of NOT_UTF8) {
      expect(await refused("PATCH", path, new Uint8Array(bytes)), String(bytes)).toEqual({
        detail: "JSON parse error - the body is not valid UTF-8",
      });
    }
    // Two different lone surrogates would both have become U+FFFD: neither is stored.
    expect((await get(path)).body.name).toBe(provider.name);
  });

  it("answers DRF's text for NUL in text fields", async () => {
    const provider = await makeProvider();
    const body = await refused("PATCH", `/api/v3/providers/rac/${provider.pk}/`, JSON.stringify({ name: "a\u0000b" }));
    expect(body).toEqual({ name: ["Null characters are not allowed."] });
    const user = await refused(
      "POST",
      "/api/v3/core/users/",
      JSON.stringify({ username: unique("u"), name: "\u0000" }),
    );
    expect(user).toEqual({ name: ["Null characters are not allowed."] });
  });

  it("refuses numbers no field can hold exactly, also inside free-form objects", async () => {
    const provider = await makeProvider();
    const path = `/api/v3/providers/rac/${provider.pk}/`;
    const cases = [
      '{"settings":{"a":1e309}}',
      '{"settings":[-1e400]}',
      '{"settings":{"a":9007199254740993}}',
      '{"maximum_connections":1e400}',
      '{"settings":{"tiny":1e-400}}',
    ];
    for (const text of cases) {
      expect(await refused("PATCH", path, text), text).toMatchObject({
        detail: expect.stringMatching(/^JSON parse error - (numbers must|integers beyond)/),
      });
    }
    const user = await makeUser();
    const attributes = `/api/v3/core/users/${user.id}/`;
    expect(await refused("PATCH", attributes, '{"attributes":{"n":12345678901234567890}}')).toEqual({
      detail: "JSON parse error - integers beyond ±9007199254740991 (2^53 - 1) must be exact doubles",
    });
    expect(await refused("PATCH", path, '{"settings":{"tiny":1e-400}}')).toEqual({
      detail: "JSON parse error - numbers must not round to zero",
    });
    // The edges that fit are stored as sent; decimals are doubles, as in any JSON (a written zero is zero).
    const exact =
      '{"settings":{"max":9007199254740991,"min":-9007199254740991,"f":0.1,"e":1e-7,"big":1.5e300,' +
      '"zero":0.0e-999,"p":9007199254740994,"js":-254922024984232820000}}';
    const reply = await send(
      "PATCH",
      path,
      { authorization: `Bearer ${superuser.token}`, "content-type": "application/json" },
      exact,
    );
    expect(reply.status).toBe(200);
    const stored = {
      max: 9007199254740991,
      min: -9007199254740991,
      f: 0.1,
      e: 1e-7,
      big: 1.5e300,
      zero: 0,
      p: 9007199254740994,
      js: -254922024984232820000,
    };
    expect((await get(path)).body.settings).toEqual(stored);
    // 2^53 + 2 is a double exactly; JSON.stringify writes large doubles as integers, which read back as written.
    expect((await get(path)).text).toContain('"p":9007199254740994,"js":-254922024984232820000');
  });

  it("stores __proto__, constructor and prototype keys of every free-form object as sent", async () => {
    const sent = '{"__proto__":{"x":1},"constructor":{"prototype":[2]},"prototype":"p","plain":true}';
    const object = JSON.parse(sent);
    const same = (value: unknown) => expect(JSON.stringify(value)).toBe(sent);
    const provider = await makeProvider({ settings: object });
    same(provider.settings);
    same((await get(`/api/v3/providers/rac/${provider.pk}/`)).body.settings);
    const endpoint = await makeEndpoint({ provider: provider.pk, settings: object });
    same(endpoint.settings);
    same((await get(`/api/v3/rac/endpoints/${endpoint.pk}/`)).body.settings);
    const mapping = await created("/api/v3/propertymappings/provider/rac/", {
      name: unique("m"),
      static_settings: object,
    });
    same(mapping.static_settings);
    same((await get(`/api/v3/propertymappings/provider/rac/${mapping.pk}/`)).body.static_settings);
    const outpost = await created("/api/v3/outposts/instances/", {
      name: unique("o"),
      type: "rac",
      providers: [provider.pk],
      config: object,
    });
    same(outpost.config);
    same((await get(`/api/v3/outposts/instances/${outpost.pk}/`)).body.config);
    const user = await created("/api/v3/core/users/", { username: unique("u"), name: "u", attributes: object });
    same(user.attributes);
    same((await get(`/api/v3/core/users/${user.pk}/`)).body.attributes);
    // The gateway's merge keeps them too (as JSON text, like every object-valued setting).
    const connection = await launched(endpoint.pk);
    const connect = await post(CONNECT, { token: connection.token });
    expect(connect.status).toBe(200);
    expect(connect.body.settings).toMatchObject({ constructor: '{"prototype":[2,2]}', prototype: "p", plain: "true" });
    expect(Object.hasOwn(connect.body.settings, "__proto__")).toBe(true);
  });

  it("caps a single settings object at 64 KiB of JSON", async () => {
    const provider = await makeProvider();
    const path = `/api/v3/providers/rac/${provider.pk}/`;
    const fits = { a: "x".repeat(64 * 1024 - 8) };
    expect((await patch(path, { settings: fits })).status).toBe(200);
    expect((await get(path)).body.settings).toEqual(fits);
    const tooBig = JSON.stringify({ settings: { a: "x".repeat(64 * 1024) } });
    expect(await refused("PATCH", path, tooBig)).toEqual({
      settings: ["Ensure this value has at most 65536 bytes as JSON."],
    });
    const endpoint = await makeEndpoint({ provider: provider.pk });
    expect(await refused("PATCH", `/api/v3/rac/endpoints/${endpoint.pk}/`, tooBig)).toEqual({
      settings: ["Ensure this value has at most 65536 bytes as JSON."],
    });
    const mapping = JSON.stringify({ name: unique("m"), static_settings: { a: "x".repeat(64 * 1024) } });
    expect(await refused("POST", "/api/v3/propertymappings/provider/rac/", mapping)).toEqual({
      static_settings: ["Ensure this value has at most 65536 bytes as JSON."],
    });
  });

  it("stores durations that round to zero as sent, and they are not 'no time limit'", async () => {
    for (const expiry of ["microseconds=0.4", "hours=1e-400", "seconds=-0"]) {
      const endpoint = await makeEndpoint({}, { connection_expiry: expiry });
      expect((await get(`/api/v3/providers/rac/${endpoint.provider}/`)).body.connection_expiry).toBe(expiry);
      const before = Date.now();
      const connection = await launched(endpoint.pk);
      expect(connection.expires, expiry).not.toBeNull();
      expect(Date.parse(connection.expires!) - before, expiry).toBeLessThanOrEqual(1000 + 5000);
    }
    const unlimited = await makeEndpoint({}, { connection_expiry: "seconds=0" });
    expect((await launched(unlimited.pk)).expires).toBeNull();
  });

  it("refuses a chunked body as soon as it passes 1 MiB, without reading the rest", async () => {
    const provider = await makeProvider();
    let pulled = 0;
    const chunk = new TextEncoder().encode(`{"name":"${"x".repeat(64 * 1024 - 9)}`);
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        // 64 MiB if read to the end.
        if (pulled > 1024) controller.close();
        else controller.enqueue(pulled === 1 ? chunk : new TextEncoder().encode("x".repeat(64 * 1024)));
      },
    });
    const before = await dumpTables();
    const request = new Request(`${BASE}/api/v3/providers/rac/${provider.pk}/`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${superuser.token}`, "content-type": "application/json" },
      body: stream,
    });
    expect(request.headers.get("content-length")).toBeNull();
    const response = await exports.default.fetch(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: "Request body exceeds the limit of 1048576 bytes." });
    expect(await dumpTables()).toBe(before);
    expect(pulled).toBeLessThan(64);
  });
});
