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
  CoreApi,
  type Endpoint,
  EndpointFromJSON,
  EventFromJSON,
  EventsApi,
  FlowDesignationEnum,
  FlowsApi,
  GroupMemberFromJSON,
  IntentEnum,
  instanceOfConnectionToken,
  instanceOfEndpoint,
  instanceOfEvent,
  instanceOfGroupMember,
  instanceOfPagination,
  instanceOfRACPropertyMapping,
  instanceOfRACProvider,
  instanceOfUsedBy,
  ModelEnum,
  OutpostsApi,
  OutpostTypeEnum,
  PaginationFromJSON,
  PropertymappingsApi,
  ProtocolEnum,
  ProvidersApi,
  type RACPropertyMapping,
  RACPropertyMappingFromJSON,
  type RACProvider,
  RACProviderFromJSON,
  RacApi,
  RbacApi,
  ResponseError,
  SchemaApi,
  UsedByActionEnum,
  UsedByFromJSON,
} from "@goauthentik/api";
import { describe, expect, it } from "vitest";
import { clientAnswerType, clientTypeProblems } from "./clientModels.ts";
import { ADMIN, BASE, checkedFetch, makeFlow, post, unique } from "./helpers.ts";
import { servedDocument } from "./openapiCheck.ts";

const configuration = new Configuration({ basePath: `${BASE}/api/v3`, accessToken: ADMIN, fetchApi: checkedFetch });

/** The generated methods this file calls (names without `Raw`): the last test checks it covered every served one. */
const called = new Set<string>();
function recorded<T extends object>(api: T): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      return (...args: unknown[]) => {
        called.add(property.replace(/Raw$/, ""));
        return value.apply(receiver, args);
      };
    },
  });
}

const providers = recorded(new ProvidersApi(configuration));
const rac = recorded(new RacApi(configuration));
const mappings = recorded(new PropertymappingsApi(configuration));
const flows = recorded(new FlowsApi(configuration));
const core = recorded(new CoreApi(configuration));
const outposts = recorded(new OutpostsApi(configuration));
const rbac = recorded(new RbacApi(configuration));
const schemaApi = recorded(new SchemaApi(configuration));
const events = recorded(new EventsApi(configuration));

interface Shape {
  fromJson(json: unknown): object;
  instanceOf(value: object): boolean;
  nested?: Record<string, Shape>;
  /** rac-edge's documented additive keys. */
  additive?: string[];
}

const PROVIDER: Shape = { fromJson: RACProviderFromJSON, instanceOf: instanceOfRACProvider };
const ENDPOINT: Shape = {
  fromJson: EndpointFromJSON,
  instanceOf: instanceOfEndpoint,
  nested: { provider_obj: PROVIDER },
};
const MAPPING: Shape = { fromJson: RACPropertyMappingFromJSON, instanceOf: instanceOfRACPropertyMapping };
const GROUP_MEMBER: Shape = { fromJson: GroupMemberFromJSON, instanceOf: instanceOfGroupMember };
const TOKEN: Shape = {
  fromJson: ConnectionTokenFromJSON,
  instanceOf: instanceOfConnectionToken,
  nested: { provider_obj: PROVIDER, endpoint_obj: ENDPOINT, user: GROUP_MEMBER },
  additive: ["expires", "created", "connected_at"],
};
const USED_BY: Shape = { fromJson: UsedByFromJSON, instanceOf: instanceOfUsedBy };
const EVENT: Shape = { fromJson: EventFromJSON, instanceOf: instanceOfEvent };
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
  for (const [key, nested] of Object.entries(shape.nested ?? {}))
    expectShape(`${where}.${key}`, (raw as Record<string, unknown>)[key], nested);
}

/** The client's value of an answer, after checking the answer's shape against its model. */
async function shaped<T>(
  where: string,
  answer: Promise<ApiResponse<T>>,
  shape: Shape,
  kind: "object" | "page" | "array" = "object",
): Promise<T> {
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
    expect(() => expectShape("provider", { ...provider.body, extra: 1 }, PROVIDER)).toThrow(
      /keys the client does not know/,
    );
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
    expect(() =>
      expectShape("endpoint", { ...endpoint.body, provider_obj: { ...provider.body, extra: 1 } }, ENDPOINT),
    ).toThrow(/endpoint.provider_obj: keys the client does not know/);
  });

  it("RAC providers: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const flow = await makeFlow();
    const name = unique("provider");
    const created = await shaped(
      "create",
      providers.providersRacCreateRaw({
        rACProviderRequest: {
          name,
          authorizationFlow: flow.pk,
          settings: { "enable-wallpaper": "true" },
          connectionExpiry: "hours=2",
          propertyMappings: [],
        },
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
    expect(list.pagination).toEqual({
      next: 0,
      previous: 0,
      count: 1,
      current: 1,
      totalPages: 1,
      startIndex: 1,
      endIndex: 1,
    });
    expect(await shaped("retrieve", providers.providersRacRetrieveRaw({ id: created.pk }), PROVIDER)).toEqual(expected);
    const updated = await shaped(
      "update",
      providers.providersRacUpdateRaw({
        id: created.pk,
        rACProviderRequest: { name: `${name}-2`, authorizationFlow: flow.pk, deleteTokenOnDisconnect: true },
      }),
      PROVIDER,
    );
    expect(updated).toEqual({ ...expected, name: `${name}-2`, deleteTokenOnDisconnect: true });
    const patched = await shaped(
      "partial update",
      providers.providersRacPartialUpdateRaw({
        id: created.pk,
        patchedRACProviderRequest: { connectionExpiry: "minutes=30" },
      }),
      PROVIDER,
    );
    expect(patched).toEqual({
      ...expected,
      name: `${name}-2`,
      deleteTokenOnDisconnect: true,
      connectionExpiry: "minutes=30",
    });
    expect(await shaped("used_by", providers.providersRacUsedByListRaw({ id: created.pk }), USED_BY, "array")).toEqual(
      [],
    );
    const invalid = await responseError(
      providers.providersRacPartialUpdate({
        id: created.pk,
        patchedRACProviderRequest: { connectionExpiry: "fortnights=1" },
      }),
    );
    expect(invalid).toEqual({
      status: 400,
      body: { connection_expiry: ["fortnights=1 is not in the correct format of 'hours=3;minutes=1'."] },
    });
    await providers.providersRacDestroy({ id: created.pk });
    expect((await responseError(providers.providersRacRetrieve({ id: created.pk }))).status).toBe(404);
  });

  it("RAC property mappings: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const name = unique("mapping");
    const created = await shaped(
      "create",
      mappings.propertymappingsProviderRacCreateRaw({
        rACPropertyMappingRequest: { name, staticSettings: { "resize-method": "display-update" } },
      }),
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
    const list = await shaped(
      "list",
      mappings.propertymappingsProviderRacListRaw({ name, ordering: "-name" }),
      MAPPING,
      "page",
    );
    expect(list.results).toEqual([expected]);
    expect(
      await shaped("retrieve", mappings.propertymappingsProviderRacRetrieveRaw({ pmUuid: created.pk }), MAPPING),
    ).toEqual(expected);
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
    expect(
      (
        await shaped(
          "list managed",
          mappings.propertymappingsProviderRacListRaw({ managed: [managed, "other"] }),
          MAPPING,
          "page",
        )
      ).results,
    ).toEqual([updated]);
    const patched = await shaped(
      "partial update",
      mappings.propertymappingsProviderRacPartialUpdateRaw({
        pmUuid: created.pk,
        patchedRACPropertyMappingRequest: { name: `${name}-2` },
      }),
      MAPPING,
    );
    expect(patched).toEqual({ ...updated, name: `${name}-2` });
    expect(
      await shaped(
        "used_by",
        mappings.propertymappingsProviderRacUsedByListRaw({ pmUuid: created.pk }),
        USED_BY,
        "array",
      ),
    ).toEqual([]);
    await mappings.propertymappingsProviderRacDestroy({ pmUuid: created.pk });
    expect((await responseError(mappings.propertymappingsProviderRacRetrieve({ pmUuid: created.pk }))).status).toBe(
      404,
    );
  });

  it("RAC endpoints: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const flow = await makeFlow();
    const provider = await providers.providersRacCreate({
      rACProviderRequest: { name: unique("provider"), authorizationFlow: flow.pk },
    });
    const mapping = await mappings.propertymappingsProviderRacCreate({
      rACPropertyMappingRequest: { name: unique("mapping"), staticSettings: {} },
    });
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
    const list = await shaped(
      "list",
      rac.racEndpointsListRaw({ provider: provider.pk, superuserFullList: true, search: name }),
      ENDPOINT,
      "page",
    );
    expect(list.results).toEqual([expected]);
    expect(await shaped("retrieve", rac.racEndpointsRetrieveRaw({ pbmUuid: created.pk }), ENDPOINT)).toEqual(expected);
    const updated = await shaped(
      "update",
      rac.racEndpointsUpdateRaw({
        pbmUuid: created.pk,
        endpointRequest: {
          name,
          provider: provider.pk,
          protocol: ProtocolEnum.Ssh,
          host: "[2001:db8::1]:22",
          authMode: AuthModeEnum.Prompt,
        },
      }),
      ENDPOINT,
    );
    expect(updated).toEqual({
      ...expected,
      protocol: ProtocolEnum.Ssh,
      host: "[2001:db8::1]:22",
      authMode: AuthModeEnum.Prompt,
    });
    const patched = await shaped(
      "partial update",
      rac.racEndpointsPartialUpdateRaw({
        pbmUuid: created.pk,
        patchedEndpointRequest: { maximumConnections: -1, propertyMappings: [] },
      }),
      ENDPOINT,
    );
    expect(patched).toEqual({ ...updated, maximumConnections: -1, propertyMappings: [] });
    const usedBy = await shaped(
      "provider used_by",
      providers.providersRacUsedByListRaw({ id: provider.pk }),
      USED_BY,
      "array",
    );
    expect(usedBy).toEqual([
      {
        app: "authentik_providers_rac",
        modelName: "endpoint",
        pk: created.pk,
        name: `RAC Endpoint ${name}`,
        action: UsedByActionEnum.Cascade,
      },
    ]);
    expect(await shaped("used_by", rac.racEndpointsUsedByListRaw({ pbmUuid: created.pk }), USED_BY, "array")).toEqual(
      [],
    );
    await rac.racEndpointsDestroy({ pbmUuid: created.pk });
    expect((await responseError(rac.racEndpointsRetrieve({ pbmUuid: created.pk }))).status).toBe(404);
  });

  it("connection tokens (created by a launch): list, retrieve, update, partial update, used_by, delete", async () => {
    const flow = await makeFlow();
    const provider = await providers.providersRacCreate({
      rACProviderRequest: { name: unique("provider"), authorizationFlow: flow.pk },
    });
    const endpointRequest = {
      provider: provider.pk,
      protocol: ProtocolEnum.Vnc,
      host: "vnc.internal",
      authMode: AuthModeEnum.Static,
      maximumConnections: -1,
    };
    const endpoint = await rac.racEndpointsCreate({
      endpointRequest: { name: unique("endpoint"), ...endpointRequest },
    });
    const other = await rac.racEndpointsCreate({ endpointRequest: { name: unique("endpoint"), ...endpointRequest } });
    const launched = await post(`/api/v3/rac/endpoints/${endpoint.pk}/launch/`, {});
    expect(launched.status, launched.text).toBe(201);

    const token = await shaped(
      "retrieve",
      rac.racConnectionTokensRetrieveRaw({ connectionTokenUuid: launched.body.pk }),
      TOKEN,
    );
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
      rac.racConnectionTokensUpdateRaw({
        connectionTokenUuid: token.pk!,
        connectionTokenRequest: { provider: provider.pk, endpoint: other.pk },
      }),
      TOKEN,
    );
    expect(moved).toEqual({ ...expected, endpoint: other.pk, endpointObj: other });
    const back = await shaped(
      "partial update",
      rac.racConnectionTokensPartialUpdateRaw({
        connectionTokenUuid: token.pk!,
        patchedConnectionTokenRequest: { endpoint: endpoint.pk },
      }),
      TOKEN,
    );
    expect(back).toEqual(expected);
    expect(
      await shaped(
        "used_by",
        rac.racConnectionTokensUsedByListRaw({ connectionTokenUuid: token.pk! }),
        USED_BY,
        "array",
      ),
    ).toEqual([]);
    await rac.racConnectionTokensDestroy({ connectionTokenUuid: token.pk! });
    expect((await responseError(rac.racConnectionTokensRetrieve({ connectionTokenUuid: token.pk! }))).status).toBe(404);
  });
  it("flows: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const slug = unique("flow");
    const flowRequest = { name: "Authorize", slug, title: "Authorize", designation: FlowDesignationEnum.Authorization };
    const created = await flows.flowsInstancesCreate({ flowRequest });
    expect(created).toMatchObject({
      name: "Authorize",
      slug,
      title: "Authorize",
      designation: "authorization",
      policybindingmodelPtrId: created.pk,
    });
    expect((await flows.flowsInstancesList({ slug, designation: "authorization" })).results).toEqual([created]);
    expect(await flows.flowsInstancesRetrieve({ slug })).toEqual(created);
    expect((await flows.flowsInstancesUpdate({ slug, flowRequest: { ...flowRequest, title: "Sign in" } })).title).toBe(
      "Sign in",
    );
    expect((await flows.flowsInstancesPartialUpdate({ slug, patchedFlowRequest: { name: "Renamed" } })).name).toBe(
      "Renamed",
    );
    expect(await flows.flowsInstancesUsedByList({ slug })).toEqual([]);
    await flows.flowsInstancesDestroy({ slug });
    expect((await responseError(flows.flowsInstancesRetrieve({ slug }))).status).toBe(404);
  });

  it("users, API tokens (view_key too), applications and RBAC assign/unassign", async () => {
    const username = unique("user");
    const user = await core.coreUsersCreate({ userRequest: { username, name: "Ada", attributes: { team: "ops" } } });
    expect(user).toMatchObject({ username, name: "Ada", isActive: true, attributes: { team: "ops" } });
    expect((await core.coreUsersList({ username })).results).toEqual([user]);
    expect(await core.coreUsersRetrieve({ id: user.pk })).toEqual(user);
    expect((await core.coreUsersUpdate({ id: user.pk, userRequest: { username, name: "Ada L." } })).name).toBe(
      "Ada L.",
    );
    expect(
      (await core.coreUsersPartialUpdate({ id: user.pk, patchedUserRequest: { email: "ada@example.test" } })).email,
    ).toBe("ada@example.test");
    await core.coreUsersSetPasswordCreate({ id: user.pk, userPasswordSetRequest: { password: "interop-password" } });
    expect(
      (
        await responseError(
          core.coreUsersSetPasswordCreate({ id: user.pk, userPasswordSetRequest: { password: "short" } }),
        )
      ).status,
    ).toBe(400);
    const me = await core.coreUsersMeRetrieve();
    expect(me.user).toMatchObject({ username: "akadmin", isSuperuser: true, groups: [], systemPermissions: [] });

    const identifier = unique("token");
    const token = await core.coreTokensCreate({
      tokenRequest: { identifier, user: user.pk, intent: IntentEnum.Api, expiring: false },
    });
    expect(token).toMatchObject({ identifier, user: user.pk, intent: "api", expiring: false });
    expect((await core.coreTokensList({ identifier })).results).toEqual([token]);
    expect(await core.coreTokensRetrieve({ identifier })).toEqual(token);
    expect(
      (await core.coreTokensUpdate({ identifier, tokenRequest: { identifier, user: user.pk, description: "ci" } }))
        .description,
    ).toBe("ci");
    expect(
      (await core.coreTokensPartialUpdate({ identifier, patchedTokenRequest: { description: "cd" } })).description,
    ).toBe("cd");
    expect(await core.coreTokensUsedByList({ identifier })).toEqual([]);
    expect((await core.coreTokensViewKeyRetrieve({ identifier })).key).toEqual(expect.any(String));
    expect((await core.coreUsersUsedByList({ id: user.pk })).map((used) => used.pk)).toEqual([token.pk]);

    const slug = unique("app");
    const flow = await makeFlow();
    const provider = await providers.providersRacCreate({
      rACProviderRequest: { name: unique("provider"), authorizationFlow: flow.pk },
    });
    const application = await core.coreApplicationsCreate({
      applicationRequest: { name: "App", slug, provider: provider.pk },
    });
    expect(application).toMatchObject({ name: "App", slug, provider: provider.pk, providerObj: { pk: provider.pk } });
    expect((await core.coreApplicationsList({ slug })).results).toEqual([application]);
    expect(await core.coreApplicationsRetrieve({ slug })).toEqual(application);
    expect((await core.coreApplicationsUpdate({ slug, applicationRequest: { name: "App 2", slug } })).name).toBe(
      "App 2",
    );
    expect((await core.coreApplicationsPartialUpdate({ slug, patchedApplicationRequest: { group: "g" } })).group).toBe(
      "g",
    );
    expect(await core.coreApplicationsUsedByList({ slug })).toEqual([]);

    // The generated assign method parses authentik's 200 answer: the assigned permissions' ids.
    const assigned = await rbac.rbacPermissionsAssignedByUsersAssign({
      id: user.pk,
      permissionAssignRequest: {
        permissions: ["authentik_core.view_application"],
        model: ModelEnum.CoreApplication,
        objectPk: application.pk,
      },
    });
    expect(assigned).toEqual([{ id: expect.any(String) }]);
    await rbac.rbacPermissionsAssignedByUsersUnassignPartialUpdate({
      id: user.pk,
      patchedPermissionAssignRequest: {
        permissions: ["authentik_core.view_application"],
        model: ModelEnum.CoreApplication,
        objectPk: application.pk,
      },
    });

    await core.coreApplicationsDestroy({ slug });
    await core.coreTokensDestroy({ identifier });
    await core.coreUsersDestroy({ id: user.pk });
    expect((await responseError(core.coreUsersRetrieve({ id: user.pk }))).status).toBe(404);
  });

  it("outposts: create, list, retrieve, update, partial update, used_by, delete", async () => {
    const flow = await makeFlow();
    const provider = await providers.providersRacCreate({
      rACProviderRequest: { name: unique("provider"), authorizationFlow: flow.pk },
    });
    const name = unique("outpost");
    const outpostRequest = {
      name,
      type: OutpostTypeEnum.Rac,
      providers: [provider.pk],
      config: { refresh_interval: "minutes=1" },
    };
    const created = await outposts.outpostsInstancesCreate({ outpostRequest });
    expect(created).toMatchObject({
      name,
      type: "rac",
      providers: [provider.pk],
      refreshIntervalS: 60,
      config: { refresh_interval: "minutes=1" },
    });
    expect((await outposts.outpostsInstancesList({ nameIexact: name })).results).toEqual([created]);
    expect(await outposts.outpostsInstancesRetrieve({ uuid: created.pk })).toEqual(created);
    expect(
      (await outposts.outpostsInstancesUpdate({ uuid: created.pk, outpostRequest: { ...outpostRequest, config: {} } }))
        .refreshIntervalS,
    ).toBe(300);
    expect(
      (
        await outposts.outpostsInstancesPartialUpdate({
          uuid: created.pk,
          patchedOutpostRequest: { name: `${name}-2` },
        })
      ).name,
    ).toBe(`${name}-2`);
    expect((await outposts.outpostsInstancesUsedByList({ uuid: created.pk })).map((used) => used.pk)).toEqual([
      String(provider.pk),
    ]);
    await outposts.outpostsInstancesDestroy({ uuid: created.pk });
    expect((await responseError(outposts.outpostsInstancesRetrieve({ uuid: created.pk }))).status).toBe(404);
  });

  it("events: list with authentik's filters, retrieve", async () => {
    const slug = unique("flow");
    const flowRequest = { name: slug, slug, title: "t", designation: FlowDesignationEnum.Authorization };
    const flow = await flows.flowsInstancesCreate({ flowRequest });
    const query = {
      action: "model_created",
      contextModelApp: "authentik_flows",
      contextModelName: "flow",
      contextModelPk: flow.pk,
    };
    const page = await shaped(
      "eventsEventsList",
      events.eventsEventsListRaw({ ...query, username: "akadmin", ordering: "-created" }),
      EVENT,
      "page",
    );
    expect(page.results).toHaveLength(1);
    const [event] = page.results;
    expect(event!.action).toBe("model_created");
    expect(event!.created).toBeInstanceOf(Date);
    expect(event!.context).toMatchObject({
      model: { app: "authentik_flows", model_name: "flow", name: `Flow ${slug} (${slug})` },
    });
    expect((await events.eventsEventsList({ search: slug, pageSize: 5 })).results.map((one) => one.pk)).toContain(
      event!.pk,
    );
    expect(
      await shaped("eventsEventsRetrieve", events.eventsEventsRetrieveRaw({ eventUuid: event!.pk }), EVENT),
    ).toEqual(event);
  });

  it("the schema, without a token", async () => {
    const anonymous = recorded(
      new SchemaApi(new Configuration({ basePath: `${BASE}/api/v3`, fetchApi: checkedFetch })),
    );
    const document = await anonymous.schemaRetrieve({});
    expect(document.openapi).toBe("3.1.0");
    expect(await schemaApi.schemaRetrieve({})).toEqual(document);
  });

  it("the model check refuses a missing required field, a wrong type, an unknown key and a bad enum value", () => {
    const flow = {
      pk: "f",
      policybindingmodel_ptr_id: "f",
      name: "n",
      slug: "s",
      title: "t",
      designation: "authorization",
    };
    const full = { ...flow, background: "b", stages: [], policies: [], cache_count: 0, export_url: "/x/" };
    expect(clientTypeProblems(full, "Flow", "flow")).toEqual([]);
    expect(clientTypeProblems(flow, "Flow", "flow")).toContain(
      "flow.background: missing, the client's Flow requires it",
    );
    expect(clientTypeProblems({ ...full, cache_count: "0" }, "Flow", "flow")).toEqual([
      "flow.cache_count: string, the client's type is number",
    ]);
    expect(clientTypeProblems({ ...full, extra: 1 }, "Flow", "flow")).toEqual([
      "flow: extra unknown to the client's Flow",
    ]);
    expect(clientTypeProblems({ ...full, designation: "nope" }, "Flow", "flow")[0]).toMatch(
      /^flow.designation: "nope" is none of authentication/,
    );
    expect(clientTypeProblems({ ...full, name: null }, "Flow", "flow")).toEqual([
      "flow.name: null, the client's type is string",
    ]);
    expect(clientTypeProblems([{ ...full, stages: [1] }], "Array<Flow>", "list")).toEqual([
      "list[0].stages[0]: number, the client's type is string",
    ]);
  });

  it("called every operation rac-edge serves that has a generated method in the client", async () => {
    const document = await servedDocument();
    const served = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap(
      (item) => Object.values(item).map((operation) => operation.operationId),
    );
    const withMethod = served.filter((operationId) => clientAnswerType(operationId) !== undefined);
    expect(withMethod.length).toBeGreaterThanOrEqual(60);
    const camel = (id: string) => id.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
    expect(withMethod.map(camel).filter((method) => !called.has(method))).toEqual([]);
  });
});
