import {
  ApiError,
  type ErrorBody,
  type Flow,
  type FlowRequest,
  type Paginated,
  type PatchedRacProviderRequest,
  type RacProvider,
  type RacProviderRequest,
} from "@rac-edge/core";

export interface ClientOptions {
  /** e.g. `https://rac.example.com` or `http://localhost:8787`. */
  baseUrl: string;
  /** An API token's key, sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Defaults to the global fetch; inject one to call a Worker directly in tests. */
  fetch?: (input: Request) => Promise<Response>;
}

export type Query = Record<string, string | number | boolean | readonly (string | number)[] | undefined>;

export interface UsedBy {
  app: string;
  model_name: string;
  pk: string;
  name: string;
  action: "cascade" | "cascade_many" | "set_null" | "set_default";
}

/** Typed operations on one resource collection. */
export interface Resource<T, Create, Patch, Key extends string | number> {
  list(query?: Query): Promise<Paginated<T>>;
  /** Every object across all pages, fetched page by page. */
  all(query?: Query): AsyncGenerator<T, void, undefined>;
  create(body: Create): Promise<T>;
  retrieve(key: Key): Promise<T>;
  update(key: Key, body: Create): Promise<T>;
  partialUpdate(key: Key, body: Patch): Promise<T>;
  destroy(key: Key): Promise<void>;
  usedBy(key: Key): Promise<UsedBy[]>;
}

function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

export function createClient(options: ClientOptions) {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const base = options.baseUrl.replace(/\/+$/, "");

  /** One call; non-2xx answers throw ApiError with authentik's parsed error body. */
  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${options.token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await send(new Request(`${base}${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) }));
    const text = await response.text();
    const parsed: unknown = text === "" ? undefined : JSON.parse(text);
    if (!response.ok) throw new ApiError(response.status, (parsed ?? { detail: response.statusText }) as ErrorBody);
    return parsed as T;
  }

  function resource<T, Create, Patch, Key extends string | number>(path: string): Resource<T, Create, Patch, Key> {
    const item = (key: Key) => `${path}${encodeURIComponent(String(key))}/`;
    const list = (query?: Query) => request<Paginated<T>>("GET", `${path}${queryString(query)}`);
    return {
      list,
      async *all(query?: Query) {
        for (let page = 1; page !== 0; ) {
          const result = await list({ ...query, page });
          yield* result.results;
          page = result.pagination.next;
        }
      },
      create: (body) => request<T>("POST", path, body),
      retrieve: (key) => request<T>("GET", item(key)),
      update: (key, body) => request<T>("PUT", item(key), body),
      partialUpdate: (key, body) => request<T>("PATCH", item(key), body),
      destroy: (key) => request<void>("DELETE", item(key)),
      usedBy: (key) => request<UsedBy[]>("GET", `${item(key)}used_by/`),
    };
  }

  return {
    request,
    flows: resource<Flow, FlowRequest, Partial<FlowRequest>, string>("/api/v3/flows/instances/"),
    providers: {
      rac: resource<RacProvider, RacProviderRequest, PatchedRacProviderRequest, number>("/api/v3/providers/rac/"),
    },
  };
}

export type Client = ReturnType<typeof createClient>;
