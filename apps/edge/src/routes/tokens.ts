import {
  type Action,
  ApiError,
  BOOTSTRAP_TOKEN_IDENTIFIER,
  codename,
  errors,
  type FieldErrors,
  type ModelName,
  type PatchedTokenRequest,
  queryBoolean,
  RESOURCES,
  reservedTokenIdentifier,
  type Token,
} from "@rac-edge/core";
import { Access } from "../access.ts";
import type { Caller } from "../auth.ts";
import { clock } from "../clock.ts";
import { crudRoutes } from "../http/crud.ts";
import { json } from "../http/responses.ts";
import { type Context, carriesSecret, type Handler, prefetching, type Routes } from "../http/router.ts";
import { type Condition, condition } from "../lists.ts";
import {
  deleteToken,
  insertToken,
  ownTokenPks,
  peekPendingKey,
  takePendingKey,
  tokenByKey,
  tokenFromRow,
  tokenList,
  updateToken,
} from "../repositories/tokens.ts";
import { defaultExpiry, lifetimeProblems, toMs } from "../tokenLifetime.ts";

const MODEL: ModelName = "authentik_core.token";
const PATH = `/api/v3/${RESOURCES.tokens.path}`;
const VIEW_KEY = "authentik_core.view_token_key";
/** What an owner may always do with their own tokens, grant or not. */
const OWNER_PERMISSIONS = new Set([
  codename(MODEL, "view"),
  codename(MODEL, "change"),
  codename(MODEL, "delete"),
  VIEW_KEY,
]);

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

/** The handler (and its HEAD variant) with the owner-aware access, keeping its prefetched reads. */
const withTokenAccessHandler = (handler: Handler): Handler =>
  Object.assign((context: Context) => handler({ ...context, access: new TokenAccess(context.db, context.caller) }), {
    prefetch: handler.prefetch,
    ...(handler.head ? { head: withTokenAccessHandler(handler.head) } : {}),
  });

/** Every handler of this module sees the owner-aware access. */
const withTokenAccess = (routes: Routes): Routes =>
  Object.fromEntries(
    Object.entries(routes).map(([path, methods]) => [
      path,
      Object.fromEntries(
        Object.entries(methods).map(([method, handler]) => [
          method,
          // The wrapper keeps the handler's prefetched reads.
          withTokenAccessHandler(handler),
        ]),
      ),
    ]),
  );

/** Outposts find their token by identifier: it changes only with its outpost. */
function refuseManaged(token: Token | null): void {
  if (token?.managed)
    throw errors.nonField(
      "This token is managed by rac-edge (an outpost's token); change or delete its outpost instead.",
    );
}

/** Only superusers touch (change, delete, read the key of) superusers' tokens. */
function refuseSuperusers({ caller }: Context, token: Token): void {
  if (token.user_obj.is_superuser && !caller.superuser) throw errors.forbidden();
}

/** The bootstrap token while BOOTSTRAP_TOKEN is set: akadmin's, under its identifier, for good. */
function isBootstrap({ env }: Context, token: Token | null): boolean {
  return token?.identifier === BOOTSTRAP_TOKEN_IDENTIFIER && Boolean(env.BOOTSTRAP_TOKEN);
}

/**
 * A token for another user needs a superuser or the global add_token grant, on create and when
 * PUT/PATCH moves a token between users (either way: taking a token is creating one); only
 * superusers hand out tokens of superusers or touch theirs. Outposts' identifiers are reserved.
 */
async function authorizeToken(context: Context, input: PatchedTokenRequest, current: Token | null): Promise<void> {
  const { caller, db } = context;
  refuseManaged(current);
  if (current !== null) refuseSuperusers(context, current);
  const fields: FieldErrors = {};
  const renamed = input.identifier !== undefined && input.identifier !== current?.identifier;
  const reserved = renamed ? reservedTokenIdentifier(input.identifier!) : null;
  if (reserved !== null) fields.identifier = [reserved];
  const moved = input.user !== undefined && input.user !== (current?.user ?? caller.userId);
  if (isBootstrap(context, current)) {
    if (renamed) fields.identifier = [BOOTSTRAP_FIXED];
    if (moved) fields.user = [BOOTSTRAP_FIXED];
  }
  lifetimeProblems(context.caller, input, current, fields);
  if (Object.keys(fields).length > 0) throw errors.validation(fields);
  if (!moved || caller.superuser) return;
  if (!(await new Access(db, caller).hasGlobal(codename(MODEL, "add")))) throw errors.forbidden();
  const target = await db
    .prepare("SELECT is_superuser FROM users WHERE id = ?1")
    .bind(input.user)
    .first<{ is_superuser: number }>();
  if (target?.is_superuser === 1) throw errors.forbidden();
}

const BOOTSTRAP_FIXED = "The bootstrap token stays akadmin's under its identifier while BOOTSTRAP_TOKEN is set.";

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

const crud = crudRoutes(RESOURCES.tokens, {
  list: tokenList,
  fromRow: tokenFromRow,
  filters: tokenFilters,
  row: { table: "tokens", column: "uuid" },
  byKey: tokenByKey,
  refs: (input) => [{ field: "user", table: "users", column: "id", ids: input.user === undefined ? [] : [input.user] }],
  authorize: authorizeToken,
  create: ({ db, caller }, input) =>
    insertToken(db, {
      identifier: input.identifier,
      userId: input.user ?? caller.userId,
      intent: input.intent ?? "api",
      description: input.description ?? "",
      // authentik's default_token_duration: 30 minutes from now when no date is given.
      expires: input.expires === undefined ? defaultExpiry(caller, clock.now()) : toMs(input.expires),
      expiring: input.expiring ?? true,
    }),
  update: ({ db }, current, input) => updateToken(db, current.pk, input),
  remove: (context, current) => {
    refuseManaged(current);
    refuseSuperusers(context, current);
    if (isBootstrap(context, current)) throw errors.nonField(`${BOOTSTRAP_FIXED} It cannot be deleted.`);
    return deleteToken(context.db, current.pk);
  },
});

const keyGone = () =>
  new ApiError(410, {
    detail:
      "The key of this token has already been shown. rac-edge stores keys hashed (SHA-256) and shows each key once, so it cannot be shown again; create a new token for a new key.",
  });

/**
 * The plain key, once: owner, superuser or authentik_core.view_token_key (global or on the token).
 * HEAD answers the same status without the body and leaves the key to be shown.
 */
const viewKeyHandler = (consume: boolean): Handler =>
  prefetching(
    ({ db, params }) => tokenByKey(db, params.key!),
    async (context, found) => {
      const { db, access } = context;
      const token = found();
      if (token === null) throw errors.notFound();
      await access.requireVisible(MODEL, token.pk);
      if (!(await access.has(VIEW_KEY, token.pk))) throw errors.forbidden();
      refuseSuperusers(context, token);
      const key = consume ? await takePendingKey(db, token.pk) : await peekPendingKey(db, token.pk);
      if (key === null) throw keyGone();
      return json({ key });
    },
  );

const viewKey: Handler = Object.assign(viewKeyHandler(true), { head: viewKeyHandler(false) });

// Creating a token and view_key answer with (or about) a key: no cache may keep them.
export const tokenRoutes: Routes = withTokenAccess({
  ...crud,
  [PATH]: { ...crud[PATH], POST: carriesSecret(crud[PATH]!.POST!) },
  [PATH + RESOURCES.tokens.operations.viewKey.path]: { GET: carriesSecret(viewKey) },
});
