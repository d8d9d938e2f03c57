/**
 * The authorization matrix (test/matrix.ts) against real fixtures: every served route and method,
 * times every kind of caller. Besides the status: unauthenticated callers get authentik's exact
 * texts, every 4xx is authentik-shaped and changes no table, and lists show the target exactly to
 * those who may see it.
 */

import { env } from "cloudflare:workers";
import { codename, type ModelName } from "@rac-edge/core";
import { beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../src/crypto.ts";
import { launched, makeEndpoint, makeOutpost } from "./connectionFixtures.ts";
import { grant, makeFlow, makeProvider, makeUser, post, unique } from "./helpers.ts";
import { fillPath, ROUTE_METHODS, send, TableWatch, violation } from "./invariants.ts";
import { type Action, CALLER_KINDS, type CallerKind, MATRIX, type Row, type Subject } from "./matrix.ts";

interface Target {
  /** The path key (id, uuid, slug or identifier). */
  key: string;
  pk: string | number;
  /** The API key of the target's natural owner (API and connection tokens). */
  ownerToken?: string;
  /** A connection token's secret. */
  secret?: string;
  body?: Record<string, unknown>;
}

interface SubjectSpec {
  model: ModelName;
  make(): Promise<Target>;
  createBody(): Record<string, unknown>;
  putBody(target: Target): Record<string, unknown>;
  patchBody(target: Target): Record<string, unknown>;
}

let shared: { flow: string; provider: number; gatewayEndpoint: string; launchEndpoint: string };

async function created(path: string, body: unknown, token?: string): Promise<any> {
  const reply = await post(path, body, token === undefined ? {} : { token });
  if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** A connection token launched by a new user who may view the endpoint. */
async function connection(endpoint: string): Promise<Target> {
  const owner = await makeUser();
  await grant(owner.id, ["authentik_providers_rac.view_endpoint"], {
    model: "authentik_providers_rac.endpoint",
    pk: endpoint,
  });
  const token = await launched(endpoint, {}, owner.token);
  return {
    key: token.pk,
    pk: token.pk,
    ownerToken: owner.token,
    secret: token.token,
    body: { provider: token.provider, endpoint: token.endpoint },
  };
}

const mappingSpec = (path: string): SubjectSpec => ({
  model: "authentik_providers_rac.racpropertymapping",
  async make() {
    const mapping = await created(path, { name: unique("mapping"), static_settings: {} });
    return { key: mapping.pk, pk: mapping.pk };
  },
  createBody: () => ({ name: unique("mapping"), static_settings: { a: "1" } }),
  putBody: () => ({ name: unique("mapping"), static_settings: { b: "2" } }),
  patchBody: () => ({ expression: unique("expression") }),
});

const SUBJECTS: Record<Subject, SubjectSpec> = {
  // An event: the model_created of a new flow, found through its own model's pk.
  event: {
    model: "authentik_events.event",
    async make() {
      const flow = await makeFlow();
      const sql = "SELECT event_uuid FROM events WHERE json_extract(context, '$.model.pk') = ?1";
      const row = await env.DB.prepare(sql).bind(flow.pk.replaceAll("-", "")).first<{ event_uuid: string }>();
      return { key: row!.event_uuid, pk: row!.event_uuid };
    },
    createBody: () => ({}),
    putBody: () => ({}),
    patchBody: () => ({}),
  },
  // Routes about no object (no path parameter): a flow stands in for the object grants of otherGrant and owner.
  none: {
    model: "authentik_flows.flow",
    async make() {
      const flow = await makeFlow();
      return { key: flow.slug, pk: flow.pk };
    },
    createBody: () => ({}),
    putBody: () => ({}),
    patchBody: () => ({}),
  },
  flow: {
    model: "authentik_flows.flow",
    async make() {
      const flow = await makeFlow();
      return { key: flow.slug, pk: flow.pk };
    },
    createBody: () => ({ name: "f", slug: unique("flow"), title: "t", designation: "authorization" }),
    putBody: (target) => ({ name: unique("name"), slug: target.key, title: "t", designation: "authorization" }),
    patchBody: () => ({ title: unique("title") }),
  },
  provider: {
    model: "authentik_providers_rac.racprovider",
    async make() {
      const provider = await makeProvider({ authorization_flow: shared.flow });
      return { key: String(provider.pk), pk: provider.pk };
    },
    createBody: () => ({ name: unique("provider"), authorization_flow: shared.flow }),
    putBody: () => ({ name: unique("provider"), authorization_flow: shared.flow }),
    patchBody: () => ({ connection_expiry: "hours=2" }),
  },
  user: {
    model: "authentik_core.user",
    async make() {
      const user = await makeUser();
      return { key: String(user.id), pk: user.id };
    },
    createBody: () => ({ username: unique("user"), name: "n" }),
    putBody: () => ({ username: unique("user"), name: "n" }),
    patchBody: () => ({ name: unique("name") }),
  },
  token: {
    model: "authentik_core.token",
    async make() {
      // Created through the API by its owner, so that its key is still pending for view_key.
      const owner = await makeUser();
      const token = await created("/api/v3/core/tokens/", { identifier: unique("token") }, owner.token);
      return { key: token.identifier, pk: token.pk, ownerToken: owner.token };
    },
    createBody: () => ({ identifier: unique("token") }),
    putBody: (target) => ({ identifier: target.key, intent: "api", description: unique("d") }),
    patchBody: () => ({ description: unique("d") }),
  },
  application: {
    model: "authentik_core.application",
    async make() {
      const application = await created("/api/v3/core/applications/", { name: "a", slug: unique("app") });
      return { key: application.slug, pk: application.pk };
    },
    createBody: () => ({ name: "a", slug: unique("app") }),
    putBody: (target) => ({ name: unique("name"), slug: target.key }),
    patchBody: () => ({ meta_publisher: unique("publisher") }),
  },
  endpoint: {
    model: "authentik_providers_rac.endpoint",
    async make() {
      const endpoint = await makeEndpoint({ provider: shared.provider });
      return { key: endpoint.pk, pk: endpoint.pk };
    },
    createBody: () => ({
      name: unique("endpoint"),
      provider: shared.provider,
      protocol: "rdp",
      host: "10.0.0.1",
      auth_mode: "static",
      maximum_connections: -1,
    }),
    putBody: () => ({
      name: unique("endpoint"),
      provider: shared.provider,
      protocol: "ssh",
      host: "10.0.0.2",
      auth_mode: "static",
      maximum_connections: -1,
    }),
    patchBody: () => ({ name: unique("endpoint") }),
  },
  mapping: mappingSpec("/api/v3/propertymappings/provider/rac/"),
  mappingAlias: mappingSpec("/api/v3/propertymappings/rac/"),
  outpost: {
    model: "authentik_outposts.outpost",
    async make() {
      const outpost = await created("/api/v3/outposts/instances/", {
        name: unique("outpost"),
        type: "rac",
        providers: [shared.provider],
      });
      return { key: outpost.pk, pk: outpost.pk };
    },
    createBody: () => ({ name: unique("outpost"), type: "rac", providers: [shared.provider] }),
    putBody: () => ({ name: unique("outpost"), type: "rac", providers: [shared.provider] }),
    patchBody: () => ({ config: { a: unique("c") } }),
  },
  connectionToken: {
    model: "authentik_providers_rac.connectiontoken",
    make: () => connection(shared.launchEndpoint),
    createBody: () => ({}),
    putBody: (target) => ({ ...target.body }),
    patchBody: (target) => ({ endpoint: target.body!.endpoint }),
  },
  gateway: {
    model: "authentik_providers_rac.connectiontoken",
    make: () => connection(shared.gatewayEndpoint),
    createBody: () => ({}),
    putBody: () => ({}),
    patchBody: () => ({}),
  },
};

/** Every object permission of a model (the per-object codenames rac-edge checks). */
const objectPermissions = (model: ModelName): string[] => [
  ...(["view", "change", "delete"] as const).map((action) => codename(model, action)),
  ...(model === "authentik_core.token" ? ["authentik_core.view_token_key"] : []),
];

async function objectHolder(model: ModelName, pk: string | number): Promise<string> {
  const user = await makeUser();
  await grant(user.id, objectPermissions(model), { model, pk });
  return user.token;
}

/** Callers that are the same for every route. */
let fixed: Record<"unknown" | "expired" | "inactive" | "noGrants" | "outpost" | "forgedOutpost" | "superuser", string>;
/** The client address of the `throttled` caller (CF-Connecting-IP). */
const THROTTLED_ADDRESS = `198.51.100.7-${crypto.randomUUID()}`;

/** Fails authentication from THROTTLED_ADDRESS until the limiter refuses it (the window may have rolled over). */
async function throttle(): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const reply = await send("GET", "/api/v3/core/users/", {
      authorization: "Bearer wrong",
      "cf-connecting-ip": THROTTLED_ADDRESS,
    });
    if (reply.status === 429) return;
  }
  throw new Error("the failed-authentication limiter never refused");
}

/** A user's key on a token named like an outpost's own token, after that token was removed. */
async function forgedOutpostKey(provider: number): Promise<string> {
  const outpost = await makeOutpost([provider]);
  const identifier = `ak-outpost-${outpost.pk}-api`;
  await env.DB.prepare("DELETE FROM tokens WHERE identifier = ?1").bind(identifier).run();
  const user = await makeUser();
  const key = `forged-${crypto.randomUUID()}`;
  await env.DB.prepare(
    "INSERT INTO tokens (uuid, identifier, user_id, intent, expiring, key_hash) VALUES (?1, ?2, ?3, 'api', 0, ?4)",
  )
    .bind(crypto.randomUUID(), identifier, user.id, await sha256Hex(key))
    .run();
  return key;
}
const sharedTargets = new Map<Subject, Target>();
const otherGrantTokens = new Map<Subject, string>();
const ownerTokens = new Map<Target, string>();

/** One-time actions (or ones that remove their target) get a fresh target per call. */
const FRESH: readonly Action[] = ["delete", "viewKey", "disconnect"];

async function targetFor(subject: Subject, action: Action): Promise<Target> {
  if (FRESH.includes(action)) return SUBJECTS[subject].make();
  let target = sharedTargets.get(subject);
  if (target === undefined) {
    target = await SUBJECTS[subject].make();
    sharedTargets.set(subject, target);
  }
  return target;
}

const MALFORMED = [
  { header: "Basic Zm9vOmJhcg==", detail: "Unsupported authentication type" },
  { header: "Bearer", detail: "Authentication credentials were not provided." },
  { header: "Token abc", detail: "Unsupported authentication type" },
];
const DETAILS: Partial<Record<CallerKind, string>> = {
  anonymous: "Authentication credentials were not provided.",
  unknown: "Token invalid/expired",
  expired: "Token invalid/expired",
  inactive: "Token invalid/expired",
};

async function authorizationHeader(
  kind: CallerKind,
  subject: Subject,
  target: Target,
  rowIndex: number,
): Promise<string | undefined> {
  switch (kind) {
    case "anonymous":
      return undefined;
    case "throttled":
      return `Bearer unknown-${crypto.randomUUID()}`;
    case "malformed":
      return MALFORMED[rowIndex % MALFORMED.length]!.header;
    case "otherGrant": {
      let token = otherGrantTokens.get(subject);
      if (token === undefined) {
        const other = await SUBJECTS[subject].make();
        token = await objectHolder(SUBJECTS[subject].model, other.pk);
        otherGrantTokens.set(subject, token);
      }
      return `Bearer ${token}`;
    }
    case "owner": {
      if (target.ownerToken !== undefined) return `Bearer ${target.ownerToken}`;
      let token = ownerTokens.get(target);
      if (token === undefined) {
        token = await objectHolder(SUBJECTS[subject].model, target.pk);
        ownerTokens.set(target, token);
      }
      return `Bearer ${token}`;
    }
    default:
      return `Bearer ${fixed[kind]}`;
  }
}

function bodyFor(row: Row, target: Target): Record<string, unknown> | undefined {
  const spec = SUBJECTS[row.subject];
  switch (row.action) {
    case "create":
      return spec.createBody();
    case "put":
      return spec.putBody(target);
    case "patch":
      return spec.patchBody(target);
    case "launch":
      return {};
    case "connect":
    case "disconnect":
      return { token: target.secret };
    case "assign":
    case "unassign":
      return { permissions: ["authentik_flows.view_flow"] };
    case "setPassword":
      return { password: "matrix-password-123" };
    default:
      return undefined;
  }
}

beforeAll(async () => {
  const flow = await makeFlow();
  const provider = await makeProvider({ authorization_flow: flow.pk });
  const gatewayProvider = await makeProvider({ authorization_flow: flow.pk });
  const outpost = await makeOutpost([gatewayProvider.pk]);
  shared = {
    flow: flow.pk,
    provider: provider.pk,
    gatewayEndpoint: (await makeEndpoint({ provider: gatewayProvider.pk })).pk,
    launchEndpoint: (await makeEndpoint({ provider: provider.pk })).pk,
  };
  const expired = await makeUser();
  await env.DB.prepare("UPDATE tokens SET expiring = 1, expires = ?1 WHERE user_id = ?2")
    .bind(Date.now() - 60_000, expired.id)
    .run();
  fixed = {
    unknown: `unknown-${crypto.randomUUID()}`,
    expired: expired.token,
    inactive: (await makeUser({ active: false })).token,
    noGrants: (await makeUser()).token,
    outpost: outpost.token,
    forgedOutpost: await forgedOutpostKey(gatewayProvider.pk),
    superuser: (await makeUser({ superuser: true })).token,
  };
}, 60_000);

describe("authorization matrix", () => {
  /** Every table, read again only where written: a request's dumps before and after cover what it wrote. */
  const watch = new TableWatch();
  it("has exactly one row per served route and method", () => {
    const served = ROUTE_METHODS.map((route) => route.key);
    expect(new Set(served).size).toBe(served.length);
    // A new route fails here until it has its row; a removed route until its row goes.
    expect(Object.keys(MATRIX).sort()).toEqual([...served].sort());
  });

  Object.entries(MATRIX).forEach(([key, row], rowIndex) => {
    it(key, async () => {
      const route = ROUTE_METHODS.find((served) => served.key === key);
      expect(route, `${key} is not served`).toBeDefined();
      const statuses = {} as Record<CallerKind, number>;
      const problems: string[] = [];
      for (const kind of CALLER_KINDS) {
        const target = await targetFor(row.subject, row.action);
        const authorization = await authorizationHeader(kind, row.subject, target, rowIndex);
        const body = bodyFor(row, target);
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        if (kind === "throttled") headers["cf-connecting-ip"] = THROTTLED_ADDRESS;
        if (body !== undefined) headers["content-type"] = "application/json";
        const path =
          fillPath(route!.path, () => encodeURIComponent(target.key)) +
          (row.action === "list" ? "?page_size=1000" : "");
        // The setup's writes above are not the request's.
        await watch.sync();
        const request = () => send(route!.method, path, headers, body === undefined ? undefined : JSON.stringify(body));
        if (kind === "throttled") await throttle();
        let reply = await request();
        // The limiter's one-minute window can roll over between throttle() and the request: throttle again.
        if (kind === "throttled" && reply.status === 403) {
          await throttle();
          reply = await request();
        }
        const { before, after } = await watch.sync();
        statuses[kind] = reply.status;
        const problem = violation(route!.method, reply, before, after);
        if (problem !== null) problems.push(`${kind}: ${problem}`);
        const detail = kind === "malformed" ? MALFORMED[rowIndex % MALFORMED.length]!.detail : DETAILS[kind];
        if (
          detail !== undefined &&
          row.expect[kind] === 403 &&
          (reply.body as { detail?: string } | null)?.detail !== detail
        ) {
          problems.push(`${kind}: ${reply.text}`);
        }
        if (row.action === "list" && reply.status === 200) {
          // Only the owner and superusers may see the target; the page must say so.
          const listed = (reply.body as { results: { pk: unknown }[] }).results.some(
            (item) => String(item.pk) === String(target.pk),
          );
          if (listed !== (kind === "owner" || kind === "superuser"))
            problems.push(`${kind}: target ${listed ? "listed" : "not listed"}`);
        }
      }
      expect({ statuses, problems }).toEqual({ statuses: row.expect, problems: [] });
    }, 60_000);
  });
});
