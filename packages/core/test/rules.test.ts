import { describe, expect, it } from "vitest";
import { launchExpiry } from "../src/duration.ts";
import { isIntegerKey, parseIntegerKey } from "../src/keys.ts";
import { providerOf, RAC_PROVIDER, racProviderOf } from "../src/providers.ts";
import {
  DEFAULT_TOKEN_LIFETIME_MS,
  defaultTokenExpiry,
  TOKEN_DEFAULTS,
  type TokenWriter,
  tokenLifetimeProblem,
} from "../src/tokens.ts";
import { INTERNAL_SERVICE_ACCOUNT, isUserType, USER_DEFAULTS, userTypeProblem } from "../src/users.ts";

describe("integer keys", () => {
  it.each([
    ["1", 1],
    ["007", 7],
    ["999999999999999", 999999999999999],
  ])("%s is the key %d", (text, key) => {
    expect([isIntegerKey(text), parseIntegerKey(text)]).toEqual([true, key]);
  });
  it.each(["", "-1", "+1", "1.0", " 1", "1 ", "1e3", "0x1", "1234567890123456", "١"])("%j is no key", (text) => {
    expect([isIntegerKey(text), parseIntegerKey(text)]).toEqual([false, null]);
  });
});

describe("user types", () => {
  it("nobody creates an internal service account", () => {
    expect(userTypeProblem(INTERNAL_SERVICE_ACCOUNT, null)).toBe(
      "Setting a user to internal service account is not allowed.",
    );
  });
  it("an internal service account keeps its type", () => {
    expect(userTypeProblem("internal", INTERNAL_SERVICE_ACCOUNT)).toBe(
      "Can't change internal service account to other user type.",
    );
    expect(userTypeProblem(INTERNAL_SERVICE_ACCOUNT, INTERNAL_SERVICE_ACCOUNT)).toBe(null);
    expect(userTypeProblem(undefined, INTERNAL_SERVICE_ACCOUNT)).toBe(null);
  });
  it("other types come and go freely", () => {
    expect(userTypeProblem("service_account", null)).toBe(null);
    expect(userTypeProblem("external", "internal")).toBe(null);
    expect(userTypeProblem(undefined, null)).toBe(null);
  });
  it("knows authentik's types and the insert defaults", () => {
    expect([isUserType("external"), isUserType("admin")]).toEqual([true, false]);
    expect(USER_DEFAULTS).toEqual({ type: "internal", path: "users", email: "" });
  });
});

describe("token lifetime", () => {
  const now = 1_000_000;
  const user: TokenWriter = { userId: 5, superuser: false, keyExpires: null };
  it("defaults to 30 minutes, cut to the key's expiry", () => {
    expect(defaultTokenExpiry(now, null)).toBe(now + DEFAULT_TOKEN_LIFETIME_MS);
    expect(defaultTokenExpiry(now, now + 1000)).toBe(now + 1000);
    expect(TOKEN_DEFAULTS).toEqual({ intent: "api", description: "", expiring: true });
  });
  it("lets a key that never expires set any lifetime", () => {
    expect(tokenLifetimeProblem(user, { expiring: false }, null, now)).toBe(null);
    expect(tokenLifetimeProblem(user, { expires: null }, null, now)).toBe(null);
  });
  it("refuses a token that outlives the key that sets it", () => {
    const key = { ...user, keyExpires: now + 1000 };
    const limit = new Date(now + 1000).toISOString();
    expect(tokenLifetimeProblem(key, { expiring: false }, null, now)).toEqual({
      kind: "fields",
      fields: { expiring: [`The key of this request expires (${limit}): tokens it sets must expire too.`] },
    });
    expect(tokenLifetimeProblem(key, { expires: now + 1001 }, null, now)).toEqual({
      kind: "fields",
      fields: { expires: [`The key of this request expires at ${limit}: a token it sets must not expire later.`] },
    });
    expect(tokenLifetimeProblem(key, { expires: now + 1000 }, null, now)).toBe(null);
    // Created without `expires`: the default, cut to the key, is within it.
    expect(tokenLifetimeProblem(key, {}, null, now)).toBe(null);
  });
  it("leaves an unchanged lifetime alone, even one the key could not set", () => {
    const key = { ...user, keyExpires: now + 1000 };
    const current = { user: 5, expiring: false, expires: null };
    expect(tokenLifetimeProblem(key, { expiring: false }, current, now)).toBe(null);
  });
  it("keeps an expired token's owner from renewing it; superusers and others may", () => {
    const expired = { user: 5, expiring: true, expires: now };
    expect(tokenLifetimeProblem(user, { expires: now + 5000 }, expired, now)).toEqual({
      kind: "forbidden",
      detail: "This token has expired: only a superuser or another user with change_token may renew it.",
    });
    expect(tokenLifetimeProblem({ ...user, superuser: true }, { expires: now + 5000 }, expired, now)).toBe(null);
    expect(tokenLifetimeProblem({ ...user, userId: 6 }, { expires: now + 5000 }, expired, now)).toBe(null);
  });
});

describe("launchExpiry", () => {
  const provider = (connection_expiry: string) => ({ name: "p", connection_expiry });
  it("is now plus the provider's connection_expiry, at least a second", () => {
    expect(launchExpiry(provider("hours=1"), 1000)).toEqual({ expires: 1000 + 3_600_000 });
    expect(launchExpiry(provider("microseconds=1"), 1000)).toEqual({ expires: 2000 });
  });
  it("is no expiry for the literal zero", () => {
    expect(launchExpiry(provider("seconds=0"), 1000)).toEqual({ expires: null });
  });
  it("refuses negative and invalid durations, naming the provider", () => {
    expect(launchExpiry(provider("hours=-1"), 1000)).toEqual({
      refused:
        'Connections cannot be launched: provider "p" has a negative connection_expiry ("hours=-1"), ' +
        "so every connection would expire before it starts. Set a positive duration, or 0 for no time limit.",
    });
    expect(launchExpiry(provider("nonsense"), 1000)).toEqual({
      refused:
        'Connections cannot be launched: the connection_expiry "nonsense" of provider "p" is not a valid duration.',
    });
  });
});

describe("the Provider mapper", () => {
  const stored = {
    pk: 3,
    name: "rac",
    authentication_flow: null,
    authorization_flow: "f",
    property_mappings: ["m"],
    app_slug: "app",
    app_name: "App",
  };
  it("builds authentik's base Provider with its constants", () => {
    expect(providerOf(stored)).toEqual({
      pk: 3,
      name: "rac",
      authentication_flow: null,
      authorization_flow: "f",
      property_mappings: ["m"],
      component: RAC_PROVIDER.component,
      assigned_application_slug: "app",
      assigned_application_name: "App",
      assigned_backchannel_application_slug: null,
      assigned_backchannel_application_name: null,
      verbose_name: RAC_PROVIDER.verbose_name,
      verbose_name_plural: RAC_PROVIDER.verbose_name_plural,
      meta_model_name: RAC_PROVIDER.meta_model_name,
    });
  });
  it("adds the RAC fields for a RACProvider", () => {
    const rac = { settings: {}, outpost_set: [], connection_expiry: "hours=8", delete_token_on_disconnect: false };
    expect(racProviderOf({ ...stored, ...rac })).toEqual({ ...providerOf(stored), ...rac });
  });
});
