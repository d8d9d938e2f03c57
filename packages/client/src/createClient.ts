import {
  type AnswerOf,
  ApiError,
  type BodyOf,
  type CreateOf,
  type ErrorBody,
  type FilterOf,
  type KeyOf,
  type ObjectOf,
  type Paginated,
  type PatchOf,
  RESOURCES,
  type ResourceDescriptor,
  type UsedBy,
  type UserSelf,
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
export type SessionUserSelf = UserSelf;

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

/** Each list's filters, as its descriptor in `@rac-edge/core` names them. */
export type ProviderFilter = FilterOf<typeof RESOURCES.providers>;
export type EndpointFilter = FilterOf<typeof RESOURCES.endpoints>;
export type ConnectionTokenFilter = FilterOf<typeof RESOURCES.connectionTokens>;
export type PropertyMappingFilter = FilterOf<typeof RESOURCES.propertyMappings>;
export type FlowFilter = FilterOf<typeof RESOURCES.flows>;
export type UserFilter = FilterOf<typeof RESOURCES.users>;
export type TokenFilter = FilterOf<typeof RESOURCES.tokens>;
export type ApplicationFilter = FilterOf<typeof RESOURCES.applications>;
export type EventFilter = FilterOf<typeof RESOURCES.events>;
export type OutpostFilter = FilterOf<typeof RESOURCES.outposts>;

/** The client's collection type of a descriptor. */
type ResourceOf<D extends ResourceDescriptor> = Resource<ObjectOf<D>, CreateOf<D>, PatchOf<D>, KeyOf<D>, FilterOf<D>>;

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

  /** The standard operations of a descriptor's collection. */
  function resource<D extends ResourceDescriptor>(descriptor: D): ResourceOf<D> {
    type T = ObjectOf<D>;
    type F = FilterOf<D>;
    const { path } = descriptor;
    const item = (key: KeyOf<D>) => path + segment(key);
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

  /** A descriptor's further operation: `key` fills `:key/` (operations without one take none). */
  function operation<D extends ResourceDescriptor, O extends keyof D["operations"] & string>(descriptor: D, name: O) {
    const { method, path } = descriptor.operations[name]!;
    return (key?: KeyOf<D>, body?: BodyOf<D["operations"][O]>, call?: CallOptions) =>
      request<AnswerOf<D["operations"][O]>>(
        method,
        descriptor.path + path.replace(":key/", key === undefined ? "" : segment(key)),
        body,
        call,
      );
  }

  /** The read side only: events have no used_by and cannot be written. */
  const readOnly = <T, Key extends string | number, F extends string>(all: Resource<T, never, never, Key, F>) => ({
    list: all.list,
    all: all.all,
    retrieve: all.retrieve,
  });
  const { endpoints, users, tokens, gateway, rbac } = RESOURCES;
  type EndpointKey = KeyOf<typeof endpoints>;
  const launch = operation(endpoints, "launch");
  const effectiveSettings = operation(endpoints, "effectiveSettings");
  const me = operation(users, "me");
  const setPassword = operation(users, "setPassword");
  const viewKey = operation(tokens, "viewKey");
  const connect = operation(gateway, "connect");
  const disconnect = operation(gateway, "disconnect");
  const assign = operation(rbac, "assign");
  const unassign = operation(rbac, "unassign");
  const schema = operation(RESOURCES.schema, "document");
  const { create: _, ...connectionTokens } = resource(RESOURCES.connectionTokens);
  type ConnectionTokens = typeof RESOURCES.connectionTokens;

  return {
    request,
    /** The latest `x-d1-bookmark` the Worker answered (null before the first answer, or with `bookmarks: false`). */
    bookmark: () => bookmark,
    providers: { rac: resource(RESOURCES.providers) },
    rac: {
      endpoints: {
        ...resource(endpoints),
        /** Creates a connection token for the caller; `token` (the secret) is shown only here. */
        launch: (key: EndpointKey, body: BodyOf<typeof endpoints.operations.launch> = {}, call?: CallOptions) =>
          launch(key, body, call),
        /** The settings a connection would use now, each with its source (secrets masked). */
        effectiveSettings: (key: EndpointKey) => effectiveSettings(key),
      },
      /** Created by `rac.endpoints.launch`, so no `create`. */
      connectionTokens: connectionTokens as MutableResource<
        ObjectOf<ConnectionTokens>,
        CreateOf<ConnectionTokens>,
        PatchOf<ConnectionTokens>,
        KeyOf<ConnectionTokens>,
        FilterOf<ConnectionTokens>
      >,
      /** For an outpost's API token (or a superuser's). */
      gateway: {
        connect: (token: string) => connect(undefined, { token }),
        disconnect: (token: string) => disconnect(undefined, { token }),
      },
    },
    propertyMappings: { rac: resource(RESOURCES.propertyMappings) },
    flows: { instances: resource(RESOURCES.flows) },
    core: {
      users: {
        ...resource(users),
        /** The caller, as authentik's SessionUser (`{"user": {...}}`). */
        me: () => me(),
        /** At least 8 characters, not the username; `current_password` when setting one's own without change_user. */
        setPassword: (id: KeyOf<typeof users>, body: BodyOf<typeof users.operations.setPassword>) =>
          setPassword(id, body),
      },
      tokens: {
        ...resource(tokens),
        /** The plain key, shown once (a second call is a 410). */
        viewKey: (identifier: KeyOf<typeof tokens>) => viewKey(identifier),
      },
      applications: resource(RESOURCES.applications),
    },
    events: {
      /** The audit trail, read only: list (newest first), every page, retrieve. */
      events: readOnly(resource(RESOURCES.events)),
    },
    outposts: { instances: resource(RESOURCES.outposts) },
    rbac: {
      /** Grants permissions by codename, globally or (with `model` and `object_pk`) on one object. */
      /** The assigned permissions' ids, as authentik answers. */
      assign: (user: KeyOf<typeof rbac>, body: BodyOf<typeof rbac.operations.assign>) => assign(user, body),
      unassign: (user: KeyOf<typeof rbac>, body: BodyOf<typeof rbac.operations.unassign>) => unassign(user, body),
    },
    /** The OpenAPI 3.1 document. */
    schema: () => schema(),
  };
}

export type Client = ReturnType<typeof createClient>;
