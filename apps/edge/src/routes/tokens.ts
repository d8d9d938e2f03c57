import {
  type Action,
  ApiError,
  codename,
  DEFAULT_TOKEN_LIFETIME_MS,
  errors,
  type ModelName,
  type PatchedTokenRequest,
  PatchedTokenRequestSchema,
  queryBoolean,
  type Token,
  type TokenRequest,
  TokenRequestSchema,
  TokenSchema,
  TokenViewSchema,
} from "@rac-edge/core";
import { Access } from "../access.ts";
import type { Caller } from "../auth.ts";
import { clock } from "../clock.ts";
import { crudRoutes } from "../http/crud.ts";
import { json } from "../http/responses.ts";
import { type Context, carriesSecret, type Handler, prefetching, type Routes } from "../http/router.ts";
import { type Condition, condition } from "../lists.ts";
import { documented, type OperationDoc } from "../openapi/operation.ts";
import { deleteToken, insertToken, ownTokenPks, takePendingKey, tokenByKey, tokenFromRow, tokenList, updateToken } from "../repositories/tokens.ts";

const MODEL: ModelName = "authentik_core.token";
const PATH = "/api/v3/core/tokens/";
const VIEW_KEY = "authentik_core.view_token_key";
/** What an owner may always do with their own tokens, grant or not. */
const OWNER_PERMISSIONS = new Set([codename(MODEL, "view"), codename(MODEL, "change"), codename(MODEL, "delete"), VIEW_KEY]);

/**
 * Access with authentik's owner semantics for API tokens: a user always sees, changes, deletes and
 * reads the key of their own tokens, and may create tokens for themselves without a grant
 * (`authorizeToken` checks tokens for other users). Everything else follows the grants.
 */
class TokenAccess extends Access {
  private readonly tokenDb: D1Database;
  private own: Promise<Set<string>> | undefined;

  constructor(db: D1Database, caller: Caller) {
    super(db, caller);
    this.tokenDb = db;
  }

  private ownPks(): Promise<Set<string>> {
    this.own ??= ownTokenPks(this.tokenDb, this.caller.userId).then((pks) => new Set(pks));
    return this.own;
  }

  override async has(perm: string, objectPk: string | number): Promise<boolean> {
    if (await super.has(perm, objectPk)) return true;
    return OWNER_PERMISSIONS.has(perm) && (await this.ownPks()).has(String(objectPk));
  }

  override async visible(model: ModelName): Promise<string[] | null> {
    const granted = await super.visible(model);
    if (granted === null || model !== MODEL) return granted;
    return [...new Set([...granted, ...(await this.ownPks())])];
  }

  override async require(model: ModelName, action: Action, objectPk?: string | number): Promise<void> {
    if (model === MODEL && action === "add" && objectPk === undefined) return;
    await super.require(model, action, objectPk);
  }
}

/** Every handler of this module sees the owner-aware access. */
const withTokenAccess = (routes: Routes): Routes =>
  Object.fromEntries(
    Object.entries(routes).map(([path, methods]) => [
      path,
      Object.fromEntries(
        Object.entries(methods).map(([method, handler]) => [
          method,
          // The wrapper keeps the handler's OpenAPI document and prefetched reads.
          Object.assign((context: Context) => handler({ ...context, access: new TokenAccess(context.db, context.caller) }), {
            doc: handler.doc,
            prefetch: handler.prefetch,
          }) satisfies Handler,
        ]),
      ),
    ]),
  );

/** Outposts find their token by identifier: it changes only with its outpost. */
function refuseManaged(token: Token | null): void {
  if (token?.managed) throw errors.nonField("This token is managed by rac-edge (an outpost's token); change or delete its outpost instead.");
}

/**
 * A token for another user needs a superuser or the global add_token grant (on create, and when
 * PUT/PATCH moves a token); only superusers hand out tokens of superusers.
 */
async function authorizeToken({ caller, db }: Context, input: PatchedTokenRequest, current: Token | null): Promise<void> {
  refuseManaged(current);
  if (input.user === undefined || input.user === caller.userId || input.user === current?.user) return;
  if (caller.superuser) return;
  if (!(await new Access(db, caller).hasGlobal(codename(MODEL, "add")))) throw errors.forbidden();
  const target = await db.prepare("SELECT is_superuser FROM users WHERE id = ?1").bind(input.user).first<{ is_superuser: number }>();
  if (target?.is_superuser === 1) throw errors.forbidden();
}

function tokenFilters(url: URL): Condition[] {
  const query = url.searchParams;
  const filters: Condition[] = [];
  for (const field of ["identifier", "intent", "description", "managed"] as const) {
    if (query.has(field)) filters.push(condition(`t.${field} = ?`, query.get(field)));
  }
  if (query.has("user__username")) filters.push(condition("u.username = ?", query.get("user__username")));
  const expiring = queryBoolean(query.get("expiring"));
  if (expiring !== null) filters.push(condition("t.expiring = ?", expiring ? 1 : 0));
  return filters;
}

const crud = crudRoutes<Token, TokenRequest, PatchedTokenRequest>({
  model: MODEL,
  path: PATH,
  list: tokenList,
  fromRow: tokenFromRow,
  filters: tokenFilters,
  byKey: tokenByKey,
  createSchema: TokenRequestSchema,
  patchSchema: PatchedTokenRequestSchema,
  schema: TokenSchema,
  doc: {
    noun: "token",
    key: { name: "identifier", type: "string", description: "The token's identifier." },
    filters: [
      ...(["identifier", "intent", "description", "managed", "user__username"] as const).map((name) => ({
        name,
        type: "string" as const,
        description: `Exact ${name.replace("__", " ")}.`,
      })),
      { name: "expiring", type: "boolean", description: "Expiring or not." },
    ],
    notes: {
      list: "A user always sees, changes and deletes their own tokens, without a grant.",
      create:
        "API tokens only (`intent` `api`). Without `expires`, the token expires in 30 minutes (authentik's default). Tokens for other users need a superuser or the global `add_token`.",
    },
    deleteRefused: "The token is an outpost's (managed): delete its outpost instead.",
  },
  refs: (input) => [{ field: "user", table: "users", column: "id", ids: input.user === undefined ? [] : [input.user] }],
  authorize: authorizeToken,
  create: ({ db, caller }, input) =>
    insertToken(db, {
      identifier: input.identifier,
      userId: input.user ?? caller.userId,
      intent: input.intent ?? "api",
      description: input.description ?? "",
      // authentik's default_token_duration: 30 minutes from now when no date is given.
      expires: input.expires === undefined ? clock.now() + DEFAULT_TOKEN_LIFETIME_MS : input.expires === null ? null : Date.parse(input.expires),
      expiring: input.expiring ?? true,
    }),
  update: ({ db }, current, input) => updateToken(db, current.pk, input),
  remove: ({ db }, current) => {
    refuseManaged(current);
    return deleteToken(db, current.pk);
  },
});

const keyGone = () =>
  new ApiError(410, {
    detail:
      "The key of this token has already been shown. rac-edge stores keys hashed (SHA-256) and shows each key once, so it cannot be shown again; create a new token for a new key.",
  });

const VIEW_KEY_DOC: OperationDoc = {
  summary: "View a token's key",
  description:
    "The plain key, shown once: to its owner, a superuser or a holder of `authentik_core.view_token_key`. rac-edge stores keys hashed, so a second call answers 410 (authentik shows the key every time).",
  path: { key: { name: "identifier", type: "string", description: "The token's identifier." } },
  success: { status: 200, description: "The key.", schema: TokenViewSchema },
  errors: { 404: "No such token, or the caller may not view it.", 410: "The key has already been shown." },
};

/** The plain key, once: owner, superuser or authentik_core.view_token_key (global or on the token). */
const viewKey: Handler = documented(
  VIEW_KEY_DOC,
  prefetching(
    ({ db, params }) => tokenByKey(db, params.key!),
    async ({ db, access }, found) => {
      const token = found();
      if (token === null) throw errors.notFound();
      await access.requireVisible(MODEL, token.pk);
      if (!(await access.has(VIEW_KEY, token.pk))) throw errors.forbidden();
      const key = await takePendingKey(db, token.pk);
      if (key === null) throw keyGone();
      return json({ key });
    },
  ),
);

// Creating a token and view_key answer with (or about) a key: no cache may keep them.
export const tokenRoutes: Routes = withTokenAccess({
  ...crud,
  [PATH]: { ...crud[PATH], POST: carriesSecret(crud[PATH]!.POST!) },
  [`${PATH}:key/view_key/`]: { GET: carriesSecret(viewKey) },
});
