import {
  ApiError,
  type Application,
  type ApplicationRequest,
  type ConnectionToken,
  type ConnectionTokenRequest,
  type EffectiveSettings,
  type Endpoint,
  type EndpointRequest,
  type ErrorBody,
  type Event,
  type Flow,
  type FlowRequest,
  type GatewayConnection,
  type GatewayDisconnection,
  type LaunchedConnectionToken,
  type LaunchRequest,
  type Outpost,
  type OutpostRequest,
  type Paginated,
  type PatchedApplicationRequest,
  type PatchedConnectionTokenRequest,
  type PatchedEndpointRequest,
  type PatchedOutpostRequest,
  type PatchedRacPropertyMappingRequest,
  type PatchedRacProviderRequest,
  type PatchedTokenRequest,
  type PatchedUserRequest,
  type PermissionAssign,
  type PermissionAssignResult,
  type RacPropertyMapping,
  type RacPropertyMappingRequest,
  type RacProvider,
  type RacProviderRequest,
  type Token,
  type TokenRequest,
  type UsedBy,
  type User,
  type UserRequest,
} from "@rac-edge/core";

export interface ClientOptions {
  /**
   * Where the Worker answers: `https://rac.example.com`, `http://localhost:8787`. An authentik-style
   * base ending in `/api/v3` (`https://rac.example.com/api/v3/`) means the same.
   */
  baseUrl: string;
  /** An API token's key, sent as `Authorization: Bearer <token>`. Omit it to use the browser's session cookie. */
  token?: string;
  /**
   * Cookie mode (a signed-in browser, no token): the fetch `credentials`. Unsafe methods then send the
   * `csrftoken` cookie's value as `X-CSRFToken` (Django's double submit), as the Worker requires.
   */
  credentials?: "include" | "same-origin";
  /** Where cookie mode reads the CSRF token; defaults to the `csrftoken` cookie of `document.cookie`. */
  csrfToken?: () => string | null;
  /**
   * Defaults to the global `fetch`. Inject one to call a Worker through a service binding
   * (`env.RAC.fetch`), `exports.default.fetch` in tests, or to add retries and logging.
   */
  fetch?: (request: Request) => Promise<Response>;
  /**
   * Read-your-writes across regions (default true): the client keeps the latest `x-d1-bookmark`
   * the Worker answered and sends it with every request, so its reads see its own writes even when
   * D1 serves them from a read replica. `false`: no bookmark is sent.
   */
  bookmarks?: boolean;
}

/** Preconditions and retries of one call (issue 15). */
export interface CallOptions {
  /** The ETag the change is based on (`retrieveWithEtag`): a 412 ApiError when the object changed meanwhile. */
  ifMatch?: string;
  /**
   * A key chosen by the client (a random UUID, say) for a POST it may retry: a retry with the same key
   * and body within 24 hours answers the first answer again without a second write.
   */
  idempotencyKey?: string;
}

/** An object with the ETag of its representation, for a later `ifMatch`. */
export interface Tagged<T> {
  object: T;
  etag: string | null;
}

/** authentik's UserSelf, as `users.me()` answers it. */
export interface SessionUserSelf {
  pk: number;
  username: string;
  name: string;
  is_active: boolean;
  is_superuser: boolean;
  groups: { name: string; pk: string }[];
  email: string;
  avatar: string;
  uid: string;
  settings: Record<string, unknown>;
  type: User["type"];
  system_permissions: string[];
}

export type QueryValue = string | number | boolean | readonly (string | number | boolean)[] | undefined;

/** Query parameters of every list, plus the resource's filters `F`. */
export type ListQuery<F extends string = never> = {
  /** 1-based, or `last`. */
  page?: number | "last";
  /** Default 100, at most 1000. */
  page_size?: number;
  /** Whitespace-separated terms; each must match one of the searched fields. */
  search?: string;
  /** Comma-separated fields, `-` for descending. */
  ordering?: string;
} & { [K in F]?: QueryValue };

/** The read side of a collection: list, every page, retrieve, used_by. */
export interface ReadResource<T, Key extends string | number, F extends string> {
  /** One page. */
  list(query?: ListQuery<F>): Promise<Paginated<T>>;
  /** Every object across all pages (from `query.page`, default 1), fetched one page at a time. */
  all(query?: ListQuery<F>): AsyncGenerator<T, void, undefined>;
  retrieve(key: Key): Promise<T>;
  /** The object and its ETag, to send as `ifMatch` with a later change. */
  retrieveWithEtag(key: Key): Promise<Tagged<T>>;
  /** The objects pointing at this one, and what deleting it does to them. */
  usedBy(key: Key): Promise<UsedBy[]>;
}

/** Update and delete, without create (connection tokens are created by a launch). */
export interface MutableResource<T, Update, Patch, Key extends string | number, F extends string>
  extends ReadResource<T, Key, F> {
  update(key: Key, body: Update, options?: CallOptions): Promise<T>;
  partialUpdate(key: Key, body: Patch, options?: CallOptions): Promise<T>;
  destroy(key: Key, options?: CallOptions): Promise<void>;
}

/** A standard collection: list, create, retrieve, PUT, PATCH, DELETE and used_by. */
export interface Resource<T, Create, Patch, Key extends string | number, F extends string = never>
  extends MutableResource<T, Create, Patch, Key, F> {
  create(body: Create, options?: CallOptions): Promise<T>;
}

export type ProviderFilter = "application__isnull" | "name__iexact";
export type EndpointFilter = "name" | "provider" | "superuser_full_list";
export type ConnectionTokenFilter = "endpoint" | "provider" | "session__user";
export type PropertyMappingFilter = "managed" | "name";
export type FlowFilter = "slug" | "name" | "designation";
export type UserFilter = "username" | "name" | "email" | "path" | "is_active" | "is_superuser" | "uuid" | "type";
export type TokenFilter = "identifier" | "intent" | "description" | "managed" | "user__username" | "expiring";
export type ApplicationFilter = "name" | "slug" | "group";
export type EventFilter =
  | "action"
  | "username"
  | "client_ip"
  | "context_model_app"
  | "context_model_name"
  | "context_model_pk"
  | "context_authorized_app";
export type OutpostFilter = "name__iexact" | "name__icontains" | "providers__isnull" | "providers_by_pk";

const API = "/api/v3/";

function search(query: ListQuery<string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [string, QueryValue][]) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
      params.append(key, String(item));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

/** A path segment for a key: numbers and uuids as they are, anything else encoded. */
const segment = (key: string | number) => `${encodeURIComponent(String(key))}/`;

/** The origin (and any path prefix) without trailing slashes or a final `/api/v3`, which the client adds. */
function normalizeBaseUrl(baseUrl: string): string {
  return baseUrl
    .replace(/\/+$/, "")
    .replace(/\/api\/v3$/i, "")
    .replace(/\/+$/, "");
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The `csrftoken` cookie of the page (cookie mode in a browser); null elsewhere. */
export function csrfCookie(
  cookies: string | undefined = (globalThis as { document?: { cookie?: string } }).document?.cookie,
) {
  for (const part of (cookies ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(value.join("="));
  }
  return null;
}

export function createClient(options: ClientOptions) {
  if (options.token === undefined && options.credentials === undefined) {
    throw new TypeError("createClient needs a token, or credentials (cookie mode) in a signed-in browser");
  }
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const base = normalizeBaseUrl(options.baseUrl) + API;
  const csrfToken = options.csrfToken ?? (() => csrfCookie());

  function headersFor(method: string, body: unknown): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    else if (!SAFE_METHODS.has(method)) {
      const csrf = csrfToken();
      if (csrf) headers["x-csrftoken"] = csrf;
    }
    if (body !== undefined) headers["content-type"] = "application/json";
    return headers;
  }

  /**
   * One call to a path below `/api/v3/`. Non-2xx answers throw ApiError with the status and
   * authentik's parsed error body (or `{"detail": <text>}` when the body is not JSON).
   */
  let bookmark: string | null = null;
  async function exchange<T>(
    method: string,
    path: string,
    body?: unknown,
    call: CallOptions = {},
  ): Promise<{ body: T; headers: Headers }> {
    const headers = headersFor(method, body);
    if (call.ifMatch !== undefined) headers["if-match"] = call.ifMatch;
    if (call.idempotencyKey !== undefined) headers["idempotency-key"] = call.idempotencyKey;
    if (bookmark !== null) headers["x-d1-bookmark"] = bookmark;
    const init: RequestInit = { method, headers, body: body === undefined ? null : JSON.stringify(body) };
    if (options.token === undefined) init.credentials = options.credentials!;
    const response = await send(new Request(base + path, init));
    const answered = response.headers.get("x-d1-bookmark");
    // Bookmarks sort in commit order: keep the latest (answers of concurrent calls may arrive out of order).
    if (options.bookmarks !== false && answered !== null && (bookmark === null || answered > bookmark))
      bookmark = answered;
    const text = await response.text();
    if (!response.ok) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      throw new ApiError(
        response.status,
        (parsed !== null && typeof parsed === "object" ? parsed : { detail: text || response.statusText }) as ErrorBody,
      );
    }
    return { body: (text === "" ? undefined : JSON.parse(text)) as T, headers: response.headers };
  }

  async function request<T>(method: string, path: string, body?: unknown, call?: CallOptions): Promise<T> {
    return (await exchange<T>(method, path, body, call)).body;
  }

  function resource<T, Create, Patch, Key extends string | number, F extends string = never>(
    path: string,
  ): Resource<T, Create, Patch, Key, F> {
    const item = (key: Key) => path + segment(key);
    const list = (query?: ListQuery<F>) => request<Paginated<T>>("GET", path + search(query));
    return {
      list,
      async *all(query?: ListQuery<F>) {
        for (let page: number | "last" = query?.page ?? 1; page !== 0; ) {
          const result: Paginated<T> = await list({ ...query, page } as ListQuery<F>);
          yield* result.results;
          page = result.pagination.next;
        }
      },
      create: (body, call) => request<T>("POST", path, body, call),
      retrieve: (key) => request<T>("GET", item(key)),
      async retrieveWithEtag(key) {
        const { body, headers } = await exchange<T>("GET", item(key));
        return { object: body, etag: headers.get("etag") };
      },
      update: (key, body, call) => request<T>("PUT", item(key), body, call),
      partialUpdate: (key, body, call) => request<T>("PATCH", item(key), body, call),
      destroy: (key, call) => request<void>("DELETE", item(key), undefined, call),
      usedBy: (key) => request<UsedBy[]>("GET", `${item(key)}used_by/`),
    };
  }

  /** The read side only: events have no used_by and cannot be written. */
  const readOnly = <T, Key extends string | number, F extends string>(all: Resource<T, never, never, Key, F>) => ({
    list: all.list,
    all: all.all,
    retrieve: all.retrieve,
  });
  const permissions =
    <T>(method: string, action: string) =>
    (user: number, body: PermissionAssign) =>
      request<T>(method, `rbac/permissions/assigned_by_users/${segment(user)}${action}/`, body);
  const gateway = (action: string) => (token: string) => request<never>("POST", `rac/gateway/${action}/`, { token });
  const { create: _, ...connectionTokens } = resource<
    ConnectionToken,
    ConnectionTokenRequest,
    PatchedConnectionTokenRequest,
    string,
    ConnectionTokenFilter
  >("rac/connection_tokens/");

  return {
    request,
    /** The latest `x-d1-bookmark` the Worker answered (null before the first answer, or with `bookmarks: false`). */
    bookmark: () => bookmark,
    providers: {
      rac: resource<RacProvider, RacProviderRequest, PatchedRacProviderRequest, number, ProviderFilter>(
        "providers/rac/",
      ),
    },
    rac: {
      endpoints: {
        ...resource<Endpoint, EndpointRequest, PatchedEndpointRequest, string, EndpointFilter>("rac/endpoints/"),
        /** Creates a connection token for the caller; `token` (the secret) is shown only here. */
        launch: (key: string, body: LaunchRequest = {}, call?: CallOptions) =>
          request<LaunchedConnectionToken>("POST", `rac/endpoints/${segment(key)}launch/`, body, call),
        /** The settings a connection would use now, each with its source (secrets masked). */
        effectiveSettings: (key: string) =>
          request<EffectiveSettings>("GET", `rac/endpoints/${segment(key)}effective_settings/`),
      },
      /** Created by `rac.endpoints.launch`, so no `create`. */
      connectionTokens: connectionTokens as MutableResource<
        ConnectionToken,
        ConnectionTokenRequest,
        PatchedConnectionTokenRequest,
        string,
        ConnectionTokenFilter
      >,
      /** For an outpost's API token (or a superuser's). */
      gateway: {
        connect: gateway("connect") as (token: string) => Promise<GatewayConnection>,
        disconnect: gateway("disconnect") as (token: string) => Promise<GatewayDisconnection>,
      },
    },
    propertyMappings: {
      rac: resource<
        RacPropertyMapping,
        RacPropertyMappingRequest,
        PatchedRacPropertyMappingRequest,
        string,
        PropertyMappingFilter
      >("propertymappings/provider/rac/"),
    },
    flows: {
      instances: resource<Flow, FlowRequest, Partial<FlowRequest>, string, FlowFilter>("flows/instances/"),
    },
    core: {
      users: {
        ...resource<User, UserRequest, PatchedUserRequest, number, UserFilter>("core/users/"),
        /** The caller, as authentik's SessionUser (`{"user": {...}}`). */
        me: () => request<{ user: SessionUserSelf }>("GET", "core/users/me/"),
        /** At least 8 characters, not the username; `current_password` when setting one's own without change_user. */
        setPassword: (id: number, body: { password: string; current_password?: string }) =>
          request<void>("POST", `core/users/${segment(id)}set_password/`, body),
      },
      tokens: {
        ...resource<Token, TokenRequest, PatchedTokenRequest, string, TokenFilter>("core/tokens/"),
        /** The plain key, shown once (a second call is a 410). */
        viewKey: (identifier: string) => request<{ key: string }>("GET", `core/tokens/${segment(identifier)}view_key/`),
      },
      applications: resource<Application, ApplicationRequest, PatchedApplicationRequest, string, ApplicationFilter>(
        "core/applications/",
      ),
    },
    events: {
      /** The audit trail, read only: list (newest first), every page, retrieve. */
      events: readOnly(resource<Event, never, never, string, EventFilter>("events/events/")),
    },
    outposts: {
      instances: resource<Outpost, OutpostRequest, PatchedOutpostRequest, string, OutpostFilter>("outposts/instances/"),
    },
    rbac: {
      /** Grants permissions by codename, globally or (with `model` and `object_pk`) on one object. */
      /** The assigned permissions' ids, as authentik answers. */
      assign: permissions<PermissionAssignResult[]>("POST", "assign"),
      unassign: permissions<void>("PATCH", "unassign"),
    },
    /** The OpenAPI 3.1 document. */
    schema: () => request<Record<string, unknown>>("GET", "schema/"),
  };
}

export type Client = ReturnType<typeof createClient>;
