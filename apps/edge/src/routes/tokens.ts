import {
  ApiError,
  BOOTSTRAP_TOKEN_IDENTIFIER,
  codename,
  errors,
  type FieldErrors,
  type ModelName,
  type PatchedTokenRequest,
  RESOURCES,
  reservedTokenIdentifier,
  TOKEN_DEFAULTS,
  type Token,
} from "@rac-edge/core";
import { clock } from "../clock.ts";
import { allowed, crudRoutes, type Ownership, visibleObject } from "../http/crud.ts";
import { json } from "../http/responses.ts";
import { type Context, carriesSecret, type Handler, prefetching, type Routes } from "../http/router.ts";
import { filtering } from "../repositories/filters.ts";
import { isSuperuser } from "../repositories/permissions.ts";
import {
  deleteToken,
  insertToken,
  ownTokensOrGranted,
  peekPendingKey,
  takePendingKey,
  tokenByKey,
  tokenFilters,
  tokenFromRow,
  tokenList,
  updateToken,
} from "../repositories/tokens.ts";
import { defaultExpiry, lifetimeProblems, toMs } from "../tokenLifetime.ts";

const MODEL: ModelName = "authentik_core.token";
const PATH = `/api/v3/${RESOURCES.tokens.path}`;
const VIEW_KEY = "authentik_core.view_token_key";

/**
 * authentik's owner semantics for API tokens: a user always sees, changes, deletes and reads the key
 * of their own tokens, and may create tokens for themselves without a grant (`authorizeToken` checks
 * tokens for other users). Everything else follows the grants.
 */
const OWNER: Ownership<Token> = {
  permissions: new Set([codename(MODEL, "view"), codename(MODEL, "change"), codename(MODEL, "delete"), VIEW_KEY]),
  ownerOf: (token) => token.user,
  visible: ownTokensOrGranted,
  mayCreateOwn: true,
};
const OWNED = { model: MODEL, owner: OWNER };

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
  if (!(await context.access.hasGlobal(codename(MODEL, "add")))) throw errors.forbidden();
  if (await isSuperuser(db, input.user!)) throw errors.forbidden();
}

const BOOTSTRAP_FIXED = "The bootstrap token stays akadmin's under its identifier while BOOTSTRAP_TOKEN is set.";

const crud = crudRoutes(RESOURCES.tokens, {
  list: tokenList,
  fromRow: tokenFromRow,
  owner: OWNER,
  filters: filtering(tokenFilters),
  row: { table: "tokens", column: "uuid" },
  byKey: tokenByKey,
  refs: (input) => [{ field: "user", table: "users", column: "id", ids: input.user === undefined ? [] : [input.user] }],
  authorize: authorizeToken,
  create: ({ db, caller }, input) =>
    insertToken(db, {
      identifier: input.identifier,
      userId: input.user ?? caller.userId,
      intent: input.intent ?? TOKEN_DEFAULTS.intent,
      description: input.description ?? TOKEN_DEFAULTS.description,
      // authentik's default_token_duration: 30 minutes from now when no date is given.
      expires: input.expires === undefined ? defaultExpiry(caller, clock.now()) : toMs(input.expires),
      expiring: input.expiring ?? TOKEN_DEFAULTS.expiring,
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
      "The key of this token has already been shown. rac-edge stores keys hashed (SHA-256) and shows each key once, " +
      "so it cannot be shown again; create a new token for a new key.",
  });

/**
 * The plain key, once: owner, superuser or authentik_core.view_token_key (global or on the token).
 * HEAD answers the same status without the body and leaves the key to be shown.
 */
const viewKeyHandler = (consume: boolean): Handler =>
  prefetching(
    ({ db, params }) => tokenByKey(db, params.key!),
    async (context, found) => {
      const token = await visibleObject(context, OWNED, found());
      if (!(await allowed(context, OWNED, VIEW_KEY, token))) throw errors.forbidden();
      refuseSuperusers(context, token);
      const { db } = context;
      const key = consume ? await takePendingKey(db, token.pk) : await peekPendingKey(db, token.pk);
      if (key === null) throw keyGone();
      return json({ key });
    },
  );

const viewKey: Handler = Object.assign(viewKeyHandler(true), { head: viewKeyHandler(false) });

// Creating a token and view_key answer with (or about) a key: no cache may keep them.
export const tokenRoutes: Routes = {
  ...crud,
  [PATH]: { ...crud[PATH], POST: carriesSecret(crud[PATH]!.POST!) },
  [PATH + RESOURCES.tokens.operations.viewKey.path]: { GET: carriesSecret(viewKey) },
};
