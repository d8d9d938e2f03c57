/**
 * The prose the OpenAPI document says about each resource beyond its schemas: nouns, key and filter
 * descriptions, notes per operation (behaviour, and where rac-edge differs from authentik), and the
 * whole text of the operations that are not standard. `@rac-edge/core/docs`: only the document's
 * build reads it, so no bundle carries it.
 */
import type { FilterOf, ResourceDescriptor, StandardOperation } from "./descriptor.ts";
import type { RESOURCES, ResourceName } from "./index.ts";

/** Error statuses an operation may answer beyond the ones every operation can (403, 429, 500, 503). */
export type ErrorStatus = 400 | 404 | 409 | 410 | 412 | 422;

/** What the document says about one operation; its schemas, path and query come from the descriptor. */
export interface OperationProse {
  summary: string;
  description?: string;
  body?: { required: boolean; description?: string };
  success: { status: 200 | 201 | 204; description: string; shape?: "object" | "array" | "page" };
  errors?: Partial<Record<ErrorStatus, string>>;
  /** `read`: ETag and If-None-Match; `write`: If-Match; `idempotent`: Idempotency-Key. */
  conditional?: "read" | "write" | "idempotent";
  /** Answers without a token. */
  public?: boolean;
  /** drf-spectacular's id, where the path alone does not give it. */
  operationId?: string;
}

export interface ResourceProse<D extends ResourceDescriptor = ResourceDescriptor> {
  /** The object in prose: "RAC provider". */
  noun: string;
  /** The path key's description. */
  key: string;
  filters: Record<FilterOf<D>, string>;
  /** Notes per standard operation: behaviour, and differences from authentik. */
  notes?: Partial<Record<StandardOperation, string>>;
  /** When a DELETE is refused with 400. */
  deleteRefused?: string;
  /** When PUT/PATCH answer 409. */
  updateConflict?: string;
  /** The operations beyond the standard ones, and standard ones documented differently. */
  operations: Record<keyof D["operations"], OperationProse> & Partial<Record<StandardOperation, OperationProse>>;
}

const exact = <const N extends string>(names: readonly N[], text = (name: N) => `Exact ${name}.`) =>
  Object.fromEntries(names.map((name) => [name, text(name)])) as Record<N, string>;

const GATEWAY =
  "An extension (authentik does this in its websocket consumer). " +
  "For an outpost's API token serving the token's provider, or a superuser.";

const EVENTS_NOTE = [
  "The audit trail: each event is written in the same D1 batch as the change it records,",
  "so an event exists if and only if its change happened. Visible to superusers and holders of",
  "`authentik_events.view_event` (globally, or per event). Events expire after `EVENTS_RETENTION_DAYS`",
  "(default 90) and are swept by the Cron Trigger. Secrets never appear in `context`.",
].join(" ");

const rbac = (kind: "assign" | "unassign"): OperationProse => ({
  summary: kind === "assign" ? "Assign permissions to a user" : "Unassign permissions from a user",
  description:
    `Needs \`authentik_core.${kind}_user_permissions\`. Permissions by authentik codename, globally (no ` +
    `\`model\`/\`object_pk\`) or on one object.`,
  body: { required: true },
  ...(kind === "assign"
    ? {
        operationId: "rbac_permissions_assigned_by_users_assign",
        success: {
          status: 200,
          description: "The assigned permissions' ids (`PermissionAssignResult`).",
          shape: "array",
        },
      }
    : { success: { status: 204, description: "Done; no body." } }),
  errors: { 404: "No such user." },
});

export const RESOURCE_DOCS: { [N in ResourceName]: ResourceProse<(typeof RESOURCES)[N]> } = {
  flows: {
    noun: "flow",
    key: "The flow's slug.",
    filters: { slug: "Exact slug.", name: "Exact name.", designation: "Exact designation." },
    notes: { list: "rac-edge keeps the subset of authentik's flow that RAC providers reference." },
    deleteRefused:
      "The flow is the `authorization_flow` of a provider: rac-edge refuses the delete while providers use it " +
      "(authentik deletes those providers).",
    operations: {},
  },
  providers: {
    noun: "RAC provider",
    key: "The provider's integer id.",
    filters: {
      application__isnull: "`true`: providers without an application; `false`: with one.",
      name__iexact: "Exact name, case-insensitive.",
    },
    notes: {
      create:
        "`connection_expiry` (default `hours=8`) is checked as described on the field; `authorization_flow` is " +
        "required.",
      destroy: "Deletes its endpoints and connection tokens and unlinks its application, as in authentik.",
    },
    operations: {},
  },
  users: {
    noun: "user",
    key: "The user's integer id.",
    filters: {
      ...exact(["username", "name", "email", "path"]),
      is_active: "Active or not.",
      is_superuser: "Superuser or not.",
      uuid: "The user's uuid; a malformed one is a 400.",
      type: "Any of the given types.",
    },
    notes: {
      create:
        "`is_superuser` is writable (rac-edge has no groups) and only superusers may set or change it; `groups` " +
        "must be empty.",
    },
    deleteRefused:
      "An outpost's service account (delete the outpost instead), or akadmin while BOOTSTRAP_TOKEN is set.",
    operations: {
      me: {
        summary: "The caller as a SessionUser",
        description:
          'authentik\'s `{"user": UserSelf}` for a bearer token or a browser session; `settings` is empty and ' +
          "`original` (impersonation) never appears. `system_permissions` lists the caller's global grants.",
        success: { status: 200, description: "The caller." },
        operationId: "core_users_me_retrieve",
      },
      setPassword: {
        summary: "Set a user's password",
        description:
          "Superusers, or `change_user` on the user. A user may set their own password without that permission by " +
          "also sending `current_password` (an extension). At least 8 characters, not the username. Stored as " +
          "Argon2id (m=19 MiB, t=2, p=1); every browser session of the user ends.",
        body: { required: true },
        success: { status: 204, description: "The password is set." },
        errors: {
          400: "Too short, equal to the username, or a missing/wrong `current_password`.",
          404: "No such user.",
        },
        operationId: "core_users_set_password_create",
      },
    },
  },
  tokens: {
    noun: "token",
    key: "The token's identifier.",
    filters: {
      ...exact(
        ["identifier", "intent", "description", "managed", "user__username"],
        (name) => `Exact ${name.replace("__", " ")}.`,
      ),
      expiring: "Expiring or not.",
    },
    notes: {
      list: "A user always sees, changes and deletes their own tokens, without a grant.",
      create:
        "API tokens only (`intent` `api`). Without `expires`, the token expires in 30 minutes (authentik's " +
        "default). Tokens for other users need a superuser or the global `add_token`.",
    },
    deleteRefused: "The token is an outpost's (managed): delete its outpost instead; or it is the bootstrap token.",
    operations: {
      viewKey: {
        summary: "View a token's key",
        description:
          "The plain key, shown once: to its owner, a superuser or a holder of `authentik_core.view_token_key`. " +
          "rac-edge stores keys hashed, so a second call answers 410 (authentik shows the key every time).",
        success: { status: 200, description: "The key." },
        errors: { 404: "No such token, or the caller may not view it.", 410: "The key has already been shown." },
      },
    },
  },
  applications: {
    noun: "application",
    key: "The application's slug.",
    filters: exact(["name", "slug", "group"]),
    notes: { create: "One application per provider; `provider` must be a RAC provider." },
    operations: {},
  },
  endpoints: {
    noun: "RAC endpoint",
    key: "The endpoint's uuid.",
    filters: {
      name: "Exact name.",
      provider: "The provider's id; an unknown or malformed id is a 400.",
      superuser_full_list: "Accepted for authentik's clients; changes nothing here.",
    },
    notes: {
      list:
        "Standard RBAC filtering, correctly paginated: rac-edge has no policy engine, so this is not authentik's " +
        "policy-filtered launcher list (whose pagination block disagrees with its results), and nothing is cached.",
      create: "`host` is `name`, `name:port`, `[IPv6]` or `[IPv6]:port` (authentik accepts any text and mangles IPv6).",
    },
    operations: {
      launch: {
        summary: "Launch a connection to an endpoint",
        description:
          "An extension (authentik launches in its HTML flow). Needs view permission on the endpoint; there is no " +
          "policy engine. Creates a connection token for the caller, checking `maximum_connections` (live tokens " +
          "of the endpoint across all users; negative: unlimited) atomically with the insert. `expires` is now " +
          "plus the provider's `connection_expiry` (at least one second), null when that is the literal zero " +
          "(`seconds=0`). The answer includes the secret `token`, shown only here.",
        body: {
          required: false,
          description:
            "`{}`, or for an endpoint whose `auth_mode` is `prompt`, `settings` with `username` and `password` " +
            "(required then, refused otherwise).",
        },
        success: { status: 201, description: "The new connection token and its secret." },
        conditional: "idempotent",
        errors: {
          400: "Invalid or missing prompt settings, or the provider's `connection_expiry` is negative.",
          404: "No such endpoint.",
          409:
            "`Maximum connection limit reached.`, with ` (You are already connected in another tab/window)` when " +
            "the caller holds one of the live tokens. With an `Idempotency-Key` whose first request was applied " +
            "but whose answer is not recorded yet, a 409 saying so.",
        },
      },
      effectiveSettings: {
        summary: "The settings a connection to an endpoint would use, explained",
        description:
          "An extension. Needs view permission on the endpoint (as retrieving it). Each Guacamole setting the data " +
          "plane would open a connection with now, with its value as text (secrets masked as `********`) and its " +
          "source: `default` (host, port, client name), `provider`, `endpoint`, or `mapping:<name>` (the last " +
          "layer that set the key wins, as in the merge). A launch's prompt values exist only per connection " +
          "token: for a `prompt` endpoint, `prompt` lists the keys a launch would set over these.",
        success: { status: 200, description: "The effective settings with their sources." },
        errors: { 404: "No such endpoint, or the caller may not view it." },
        conditional: "read",
      },
    },
  },
  propertyMappings: {
    noun: "RAC property mapping",
    key: "The property mapping's uuid.",
    filters: { managed: "Any of the given `managed` values.", name: "Exact name." },
    notes: {
      list:
        "`/propertymappings/provider/rac/` (the client's path) and `/propertymappings/rac/` (the 2024.6 tag's) " +
        "serve the same objects.",
      create:
        "`expression` is stored and returned but never executed or syntax-checked (rac-edge runs no Python); only " +
        "`static_settings` take effect at connect time.",
    },
    operations: {},
  },
  outposts: {
    noun: "outpost",
    key: "The outpost's uuid.",
    filters: {
      name__iexact: "Exact name, case-insensitive.",
      name__icontains: "Part of the name, case-insensitive.",
      providers__isnull: "`true`: outposts without providers.",
      providers_by_pk: "Outposts serving any of these providers; an unknown id is a 400.",
    },
    notes: {
      create:
        "Only RAC outposts. Each outpost gets its own API token (`token_identifier`, key readable once through " +
        "`/core/tokens/{identifier}/view_key/`), which the gateway routes accept.",
    },
    operations: {},
  },
  connectionTokens: {
    noun: "connection token",
    key: "The connection token's uuid.",
    filters: {
      endpoint: "The endpoint's uuid; an unknown or malformed one is a 400.",
      provider: "The provider's id; an unknown or malformed one is a 400.",
      session__user: "The owner's user id; an unknown or malformed one is a 400.",
    },
    notes: {
      list:
        "The caller's own tokens are always listed. Expired tokens are never listed (authentik lists them until " +
        "its cleanup runs). Tokens are created by `POST /rac/endpoints/{pbm_uuid}/launch/`, not here (POST answers " +
        "405).",
      update:
        "`pk` may only repeat this token's own (authentik silently copies the row); the endpoint must belong to " +
        "the provider (authentik does not check). Moving a token to an endpoint at its connection limit is a 409.",
      partialUpdate: "The same checks as PUT.",
      destroy: "Owners may always delete (revoke) their own tokens.",
    },
    updateConflict: "The target endpoint is at its connection limit.",
    operations: {},
  },
  events: {
    noun: "event",
    key: "The event's uuid.",
    filters: {
      action: "Exact action.",
      username: "Exact username of the event's user.",
      client_ip: "Exact client address (`CF-Connecting-IP`).",
      context_model_app: "Exact `context.model.app` (`authentik_providers_rac`).",
      context_model_name: "Exact `context.model.model_name` (`endpoint`).",
      context_model_pk: "The object's pk; dashes of a uuid are ignored.",
      context_authorized_app: "The launched application's uuid.",
    },
    operations: {
      list: {
        summary: "List events",
        description: `${EVENTS_NOTE} Newest first by default.`,
        success: { status: 200, description: "A page of events.", shape: "page" },
        errors: { 404: "`Invalid page.`" },
      },
      retrieve: {
        summary: "Retrieve an event",
        description: EVENTS_NOTE,
        success: { status: 200, description: "The event." },
        errors: { 404: "No such event, or the caller may not view it." },
      },
    },
  },
  gateway: {
    noun: "gateway",
    key: "",
    filters: {},
    operations: {
      connect: {
        summary: "Resolve a connection token for the gateway",
        description:
          `${GATEWAY} Answers the protocol and the merged Guacamole settings, every value a string, including the ` +
          `prompted password.`,
        body: { required: true },
        success: { status: 200, description: "What the gateway opens the connection with." },
        errors: { 404: "Unknown or expired connection token." },
      },
      disconnect: {
        summary: "Report a closed connection",
        description:
          `${GATEWAY} Deletes the token when the provider's \`delete_token_on_disconnect\` is true or its expiry ` +
          `is 0.`,
        body: { required: true },
        success: { status: 200, description: "Whether the token was deleted." },
        errors: { 404: "Unknown or expired connection token." },
      },
    },
  },
  rbac: {
    noun: "user",
    key: "The user's integer id.",
    filters: {},
    operations: { assign: rbac("assign"), unassign: rbac("unassign") },
  },
  schema: {
    noun: "document",
    key: "",
    filters: {},
    operations: {
      document: {
        summary: "The OpenAPI 3.1 document of this API",
        description:
          "Generated from the same valibot schemas that validate requests. JSON only (authentik also serves YAML). " +
          "Public: answers without a token, as authentik's does.",
        public: true,
        success: { status: 200, description: "The document." },
      },
    },
  },
};
