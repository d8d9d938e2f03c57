/**
 * authentik's own published client, `@goauthentik/api@2024.6.4-1724423607` (typescript-fetch),
 * against the Worker: RAC providers, endpoints and property mappings through their whole CRUD,
 * connection tokens through retrieve/update/delete. A "shape error" is any key the server answers
 * that the client's model does not know (beyond rac-edge's documented additive `expires`), any key
 * the model requires that is missing, or a value that reads back differently.
 */
import {
  type ApiResponse,
  AuthModeEnum,
  Configuration,
  type ConnectionToken,
  ConnectionTokenFromJSON,
  type Endpoint,
  EndpointFromJSON,
  GroupMemberFromJSON,
  instanceOfConnectionToken,
  instanceOfEndpoint,
  instanceOfGroupMember,
  instanceOfPagination,
  instanceOfRACPropertyMapping,
  instanceOfRACProvider,
  instanceOfUsedBy,
  PaginationFromJSON,
  PropertymappingsApi,
  ProtocolEnum,
  ProvidersApi,
  type RACPropertyMapping,
  RACPropertyMappingFromJSON,
  type RACProvider,
  RACProviderFromJSON,
  RacApi,
  ResponseError,
  UsedByActionEnum,
  UsedByFromJSON,
} from "@goauthentik/api";
import { describe, expect, it } from "vitest";
import { ADMIN, BASE, checkedFetch, makeFlow, post, unique } from "./helpers.ts";

const configuration = new Configuration({ basePath: `${BASE}/api/v3`, accessToken: ADMIN, fetchApi: checkedFetch });
const providers = new ProvidersApi(configuration);
const rac = new RacApi(configuration);
const mappings = new PropertymappingsApi(configuration);

interface Shape {
  fromJson(json: unknown): object;
  instanceOf(value: object): boolean;
  nested?: Record<string, Shape>;
  /** rac-edge's documented additive keys. */
  additive?: string[];
}

const PROVIDER: Shape = { fromJson: RACProviderFromJSON, instanceOf: instanceOfRACProvider };
const ENDPOINT: Shape = { fromJson: EndpointFromJSON, instanceOf: instanceOfEndpoint, nested: { provider_obj: PROVIDER } };
const MAPPING: Shape = { fromJson: RACPropertyMappingFromJSON, instanceOf: instanceOfRACPropertyMapping };
const GROUP_MEMBER: Shape = { fromJson: GroupMemberFromJSON, instanceOf: instanceOfGroupMember };
const TOKEN: Shape = {
  fromJson: ConnectionTokenFromJSON,
  instanceOf: instanceOfConnectionToken,
  nested: { provider_obj: PROVIDER, endpoint_obj: ENDPOINT, user: GROUP_MEMBER },
  additive: ["expires"],
};
const USED_BY: Shape = { fromJson: UsedByFromJSON, instanceOf: instanceOfUsedBy };
const PAGINATION: Shape = { fromJson: PaginationFromJSON, instanceOf: instanceOfPagination };

const snake = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const camel = (key: string) => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Fails on any key the client does not know, any key it requires that is missing, in nested objects too. */
function expectShape(where: string, raw: unknown, shape: Shape): void {
  expect(typeof raw, where).toBe("object");
  const known = Object.keys(shape.fromJson({})).map(snake);
  const unknown = Object.keys(raw as object).filter((key) => !known.includes(key) && !shape.additive?.includes(key));
  expect(unknown, `${where}: keys the client does not know`).toEqual([]);
  // instanceOf checks that the model's required keys are present (`FromJSON` would add them all).
  const present = Object.fromEntries(Object.entries(raw as object).map(([key, value]) => [camel(key), value]));
  expect(shape.instanceOf(present), `${where}: keys the client requires`).toBe(true);
  for (const [key, nested] of Object.entries(shape.nested ?? {})) expectShape(`${where}.${key}`, (raw as Record<string, unknown>)[key], nested);
}

/** The client's value of an answer, after checking the answer's shape against its model. */
async function shaped<T>(where: string, answer: Promise<ApiResponse<T>>, shape: Shape, kind: "object" | "page" | "array" = "object"): Promise<T> {
  const response = await answer;
  const raw = (await response.raw.clone().json()) as { pagination: unknown; results: unknown[] } | unknown[];
  if (kind === "page") {
    const page = raw as { pagination: unknown; results: unknown[] };
    expect(Object.keys(page).sort(), where).toEqual(["pagination", "results"]);
    expectShape(`${where}.pagination`, page.pagination, PAGINATION);
    for (const [index, item] of page.results.entries()) expectShape(`${where}.results[${index}]`, item, shape);
  } else if (kind === "array") {
    for (const [index, item] of (raw as unknown[]).entries()) expectShape(`${where}[${index}]`, item, shape);
  } else expectShape(where, raw, shape);
  return response.value();
}

async function responseError(promise: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ResponseError);
  const { response } = error as ResponseError;
  return { status: response.status, body: await response.json() };
}

describe("@goauthentik/api@2024.6.4-1724423607 against the Worker", () => {
  it("the shape check refuses an unknown key, a missing required key, and in nested objects", async () => {
    const flow = await makeFlow();
    const provider = await post("/api/v3/providers/rac/", { name: unique("provider"), authorization_flow: flow.pk });
    expect(() => expectShape("provider", provider.body, PROVIDER)).not.toThrow();
    expect(() => expectShape("provider", { ...provider.body, extra: 1 }, PROVIDER)).toThrow(/keys the client does not know/);
    const { outpost_set: _, ...missing } = provider.body;
    expect(() => expectShape("provider", missing, PROVIDER)).toThrow(/keys the client requires/);
    const endpoint = await post("/api/v3/rac/endpoints/", {
      name: unique("endpoint"),
      provider: provider.body.pk,
      protocol: "ssh",
      host: "h",
      auth_mode: "static",
    });
    expect(() => expectShape("endpoint", endpoint.body, ENDPOINT)).not.toThrow();
    expect(() => expectShape("endpoint", { ...endpoint.body, provider_obj: { ...provider.body, extra: 1 } }, ENDPOINT)).toThrow(
      /endpoint.provider_obj: keys the client does not know/,
    );
  });

  it("RAC providers: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const flow = await makeFlow();
    const name = unique("provider");
    const created = await shaped(
      "create",
      providers.providersRacCreateRaw({
        rACProviderRequest: { name, authorizationFlow: flow.pk, settings: { "enable-wallpaper": "true" }, connectionExpiry: "hours=2", propertyMappings: [] },
      }),
      PROVIDER,
    );
    const expected: RACProvider = {
      pk: created.pk,
      name,
      // typescript-fetch's `exists()` reads an optional null as undefined.
      authenticationFlow: undefined,
      authorizationFlow: flow.pk,
      propertyMappings: [],
      component: "ak-provider-rac-form",
      assignedApplicationSlug: null as unknown as string,
      assignedApplicationName: null as unknown as string,
      assignedBackchannelApplicationSlug: null as unknown as string,
      assignedBackchannelApplicationName: null as unknown as string,
      verboseName: "RAC Provider",
      verboseNamePlural: "RAC Providers",
      metaModelName: "authentik_providers_rac.racprovider",
      settings: { "enable-wallpaper": "true" },
      outpostSet: [],
      connectionExpiry: "hours=2",
      deleteTokenOnDisconnect: false,
    };
    expect(created).toEqual(expected);
    const list = await shaped(
      "list",
      providers.providersRacListRaw({ nameIexact: name.toUpperCase(), applicationIsnull: true, pageSize: 10 }),
      PROVIDER,
      "page",
    );
    expect(list.results).toEqual([expected]);
    expect(list.pagination).toEqual({ next: 0, previous: 0, count: 1, current: 1, totalPages: 1, startIndex: 1, endIndex: 1 });
    expect(await shaped("retrieve", providers.providersRacRetrieveRaw({ id: created.pk }), PROVIDER)).toEqual(expected);
    const updated = await shaped(
      "update",
      providers.providersRacUpdateRaw({ id: created.pk, rACProviderRequest: { name: `${name}-2`, authorizationFlow: flow.pk, deleteTokenOnDisconnect: true } }),
      PROVIDER,
    );
    expect(updated).toEqual({ ...expected, name: `${name}-2`, deleteTokenOnDisconnect: true });
    const patched = await shaped(
      "partial update",
      providers.providersRacPartialUpdateRaw({ id: created.pk, patchedRACProviderRequest: { connectionExpiry: "minutes=30" } }),
      PROVIDER,
    );
    expect(patched).toEqual({ ...expected, name: `${name}-2`, deleteTokenOnDisconnect: true, connectionExpiry: "minutes=30" });
    expect(await shaped("used_by", providers.providersRacUsedByListRaw({ id: created.pk }), USED_BY, "array")).toEqual([]);
    const invalid = await responseError(
      providers.providersRacPartialUpdate({ id: created.pk, patchedRACProviderRequest: { connectionExpiry: "fortnights=1" } }),
    );
    expect(invalid).toEqual({ status: 400, body: { connection_expiry: ["fortnights=1 is not in the correct format of 'hours=3;minutes=1'."] } });
    await providers.providersRacDestroy({ id: created.pk });
    expect((await responseError(providers.providersRacRetrieve({ id: created.pk }))).status).toBe(404);
  });

  it("RAC property mappings: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const name = unique("mapping");
    const created = await shaped(
      "create",
      mappings.propertymappingsProviderRacCreateRaw({ rACPropertyMappingRequest: { name, staticSettings: { "resize-method": "display-update" } } }),
      MAPPING,
    );
    const expected: RACPropertyMapping = {
      pk: created.pk,
      managed: undefined,
      name,
      expression: "",
      component: "ak-property-mapping-provider-rac-form",
      verboseName: "RAC Provider Property Mapping",
      verboseNamePlural: "RAC Provider Property Mappings",
      metaModelName: "authentik_providers_rac.racpropertymapping",
      staticSettings: { "resize-method": "display-update" },
    };
    expect(created).toEqual(expected);
    const list = await shaped("list", mappings.propertymappingsProviderRacListRaw({ name, ordering: "-name" }), MAPPING, "page");
    expect(list.results).toEqual([expected]);
    expect(await shaped("retrieve", mappings.propertymappingsProviderRacRetrieveRaw({ pmUuid: created.pk }), MAPPING)).toEqual(expected);
    const managed = unique("goauthentik.io/test");
    const updated = await shaped(
      "update",
      mappings.propertymappingsProviderRacUpdateRaw({
        pmUuid: created.pk,
        rACPropertyMappingRequest: { name, managed, expression: "return {}", staticSettings: { "color-depth": "16" } },
      }),
      MAPPING,
    );
    expect(updated).toEqual({ ...expected, managed, expression: "return {}", staticSettings: { "color-depth": "16" } });
    expect((await shaped("list managed", mappings.propertymappingsProviderRacListRaw({ managed: [managed, "other"] }), MAPPING, "page")).results).toEqual([
      updated,
    ]);
    const patched = await shaped(
      "partial update",
      mappings.propertymappingsProviderRacPartialUpdateRaw({ pmUuid: created.pk, patchedRACPropertyMappingRequest: { name: `${name}-2` } }),
      MAPPING,
    );
    expect(patched).toEqual({ ...updated, name: `${name}-2` });
    expect(await shaped("used_by", mappings.propertymappingsProviderRacUsedByListRaw({ pmUuid: created.pk }), USED_BY, "array")).toEqual([]);
    await mappings.propertymappingsProviderRacDestroy({ pmUuid: created.pk });
    expect((await responseError(mappings.propertymappingsProviderRacRetrieve({ pmUuid: created.pk }))).status).toBe(404);
  });

  it("RAC endpoints: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const flow = await makeFlow();
    const provider = await providers.providersRacCreate({ rACProviderRequest: { name: unique("provider"), authorizationFlow: flow.pk } });
    const mapping = await mappings.propertymappingsProviderRacCreate({ rACPropertyMappingRequest: { name: unique("mapping"), staticSettings: {} } });
    const name = unique("endpoint");
    const created = await shaped(
      "create",
      rac.racEndpointsCreateRaw({
        endpointRequest: {
          name,
          provider: provider.pk,
          protocol: ProtocolEnum.Rdp,
          host: "10.1.2.3:3389",
          settings: { "ignore-cert": "true" },
          propertyMappings: [mapping.pk],
          authMode: AuthModeEnum.Static,
          maximumConnections: 2,
        },
      }),
      ENDPOINT,
    );
    const expected: Endpoint = {
      pk: created.pk,
      name,
      provider: provider.pk,
      providerObj: provider,
      protocol: ProtocolEnum.Rdp,
      host: "10.1.2.3:3389",
      settings: { "ignore-cert": "true" },
      propertyMappings: [mapping.pk],
      authMode: AuthModeEnum.Static,
      launchUrl: null,
      maximumConnections: 2,
    };
    expect(created).toEqual(expected);
    const list = await shaped("list", rac.racEndpointsListRaw({ provider: provider.pk, superuserFullList: true, search: name }), ENDPOINT, "page");
    expect(list.results).toEqual([expected]);
    expect(await shaped("retrieve", rac.racEndpointsRetrieveRaw({ pbmUuid: created.pk }), ENDPOINT)).toEqual(expected);
    const updated = await shaped(
      "update",
      rac.racEndpointsUpdateRaw({
        pbmUuid: created.pk,
        endpointRequest: { name, provider: provider.pk, protocol: ProtocolEnum.Ssh, host: "[2001:db8::1]:22", authMode: AuthModeEnum.Prompt },
      }),
      ENDPOINT,
    );
    expect(updated).toEqual({ ...expected, protocol: ProtocolEnum.Ssh, host: "[2001:db8::1]:22", authMode: AuthModeEnum.Prompt });
    const patched = await shaped(
      "partial update",
      rac.racEndpointsPartialUpdateRaw({ pbmUuid: created.pk, patchedEndpointRequest: { maximumConnections: -1, propertyMappings: [] } }),
      ENDPOINT,
    );
    expect(patched).toEqual({ ...updated, maximumConnections: -1, propertyMappings: [] });
    const usedBy = await shaped("provider used_by", providers.providersRacUsedByListRaw({ id: provider.pk }), USED_BY, "array");
    expect(usedBy).toEqual([
      { app: "authentik_providers_rac", modelName: "endpoint", pk: created.pk, name: `RAC Endpoint ${name}`, action: UsedByActionEnum.Cascade },
    ]);
    expect(await shaped("used_by", rac.racEndpointsUsedByListRaw({ pbmUuid: created.pk }), USED_BY, "array")).toEqual([]);
    await rac.racEndpointsDestroy({ pbmUuid: created.pk });
    expect((await responseError(rac.racEndpointsRetrieve({ pbmUuid: created.pk }))).status).toBe(404);
  });

  it("connection tokens (created by a launch): list, retrieve, update, partial update, used_by, delete", async () => {
    const flow = await makeFlow();
    const provider = await providers.providersRacCreate({ rACProviderRequest: { name: unique("provider"), authorizationFlow: flow.pk } });
    const endpointRequest = { provider: provider.pk, protocol: ProtocolEnum.Vnc, host: "vnc.internal", authMode: AuthModeEnum.Static, maximumConnections: -1 };
    const endpoint = await rac.racEndpointsCreate({ endpointRequest: { name: unique("endpoint"), ...endpointRequest } });
    const other = await rac.racEndpointsCreate({ endpointRequest: { name: unique("endpoint"), ...endpointRequest } });
    const launched = await post(`/api/v3/rac/endpoints/${endpoint.pk}/launch/`, {});
    expect(launched.status, launched.text).toBe(201);

    const token = await shaped("retrieve", rac.racConnectionTokensRetrieveRaw({ connectionTokenUuid: launched.body.pk }), TOKEN);
    const expected: ConnectionToken = {
      pk: launched.body.pk,
      provider: provider.pk,
      providerObj: provider,
      endpoint: endpoint.pk,
      endpointObj: endpoint,
      user: token.user,
    };
    expect(token).toEqual(expected);
    expect(token.user).toMatchObject({ username: "akadmin", isActive: true });
    const list = await shaped(
      "list",
      rac.racConnectionTokensListRaw({ endpoint: endpoint.pk, provider: provider.pk, sessionUser: token.user.pk }),
      TOKEN,
      "page",
    );
    expect(list.results).toEqual([expected]);
    const moved = await shaped(
      "update",
      rac.racConnectionTokensUpdateRaw({ connectionTokenUuid: token.pk!, connectionTokenRequest: { provider: provider.pk, endpoint: other.pk } }),
      TOKEN,
    );
    expect(moved).toEqual({ ...expected, endpoint: other.pk, endpointObj: other });
    const back = await shaped(
      "partial update",
      rac.racConnectionTokensPartialUpdateRaw({ connectionTokenUuid: token.pk!, patchedConnectionTokenRequest: { endpoint: endpoint.pk } }),
      TOKEN,
    );
    expect(back).toEqual(expected);
    expect(await shaped("used_by", rac.racConnectionTokensUsedByListRaw({ connectionTokenUuid: token.pk! }), USED_BY, "array")).toEqual([]);
    await rac.racConnectionTokensDestroy({ connectionTokenUuid: token.pk! });
    expect((await responseError(rac.racConnectionTokensRetrieve({ connectionTokenUuid: token.pk! }))).status).toBe(404);
  });
});
