/**
 * Connection tokens: authentik's `ConnectionToken` (plus `expires`, `created`, `connected_at`), the launch that creates
 * them and the gateway's connect/disconnect. The secret (`token`) is shown only in the launch answer.
 */
import * as v from "valibot";
import { EndpointSchema } from "./endpoints.ts";
import {
  intRef,
  MESSAGES,
  noNullCharacters,
  normalizeUuid,
  pythonType,
  text,
  toFieldErrors,
  uuidRef,
} from "./fields.ts";
import { RacProviderSchema } from "./providers.ts";
import { GroupMemberSchema } from "./users.ts";

export const ConnectionTokenSchema = v.object({
  pk: v.string(),
  provider: v.number(),
  provider_obj: RacProviderSchema,
  endpoint: v.string(),
  endpoint_obj: EndpointSchema,
  user: GroupMemberSchema,
  /** ISO 8601, or null for a token without a time limit (an additive field). */
  expires: v.nullable(v.string()),
  /** ISO 8601: when the token was launched (an additive field). */
  created: v.string(),
  /** ISO 8601 of the gateway's last connect with it, or null before one (an additive field). */
  connected_at: v.nullable(v.string()),
});
export type ConnectionToken = v.InferOutput<typeof ConnectionTokenSchema>;

/** The launch answer: the token object plus its secret, shown this once. */
export const LaunchedConnectionTokenSchema = v.object({ ...ConnectionTokenSchema.entries, token: v.string() });
export type LaunchedConnectionToken = v.InferOutput<typeof LaunchedConnectionTokenSchema>;

/** DRF's UUIDField (the token's own `pk`), as opposed to a relation's "Incorrect type" texts. */
const uuidValue = () =>
  v.pipe(
    v.nonNullable(v.string("Must be a valid UUID."), MESSAGES.null),
    v.check((value) => normalizeUuid(value) !== null, "Must be a valid UUID."),
  );

/** PUT: `provider` and `endpoint` required; `pk` may only repeat the path's (checked by the route). */
export const ConnectionTokenRequestSchema = v.object({
  pk: v.optional(uuidValue()),
  provider: intRef(),
  endpoint: uuidRef(),
});
export type ConnectionTokenRequest = v.InferOutput<typeof ConnectionTokenRequestSchema>;
export const PatchedConnectionTokenRequestSchema = v.partial(ConnectionTokenRequestSchema);
export type PatchedConnectionTokenRequest = v.InferOutput<typeof PatchedConnectionTokenRequestSchema>;

/** What a prompt-mode launch asks for; nothing else may be given (it is merged last, over everything). */
export const PromptSettingsSchema = v.object({
  username: text(255),
  password: v.pipe(
    v.nonNullable(v.string(MESSAGES.string), MESSAGES.null),
    v.nonEmpty(MESSAGES.blank),
    noNullCharacters(),
    v.maxLength(1024, "Ensure this field has no more than 1024 characters."),
  ),
});
export type PromptSettings = v.InferOutput<typeof PromptSettingsSchema>;
/** The settings a prompt-mode launch gives (merged last, over every other layer). */
export const PROMPT_KEYS: readonly string[] = Object.keys(PromptSettingsSchema.entries);

/**
 * The launch's `settings`: an object with exactly the prompt keys. Its errors stay under
 * `settings`, each prefixed with the key it is about: `{"settings": ["username: This field is required."]}`.
 */
const promptSettings = () =>
  v.pipe(
    v.nonNullable(v.unknown(), MESSAGES.null),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const value = dataset.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        addIssue({ message: `Invalid data. Expected a dictionary, but got ${pythonType(value)}.` });
        return NEVER;
      }
      const unknown = Object.keys(value).filter((key) => !PROMPT_KEYS.includes(key));
      for (const key of unknown)
        addIssue({ message: `${key}: Unknown setting; only ${PROMPT_KEYS.join(" and ")} can be given.` });
      const result = v.safeParse(PromptSettingsSchema, value, { abortPipeEarly: true });
      if (!result.success) {
        for (const [key, messages] of Object.entries(toFieldErrors(result.issues))) {
          for (const message of messages) addIssue({ message: `${key}: ${message}` });
        }
      }
      return unknown.length > 0 || !result.success ? NEVER : result.output;
    }),
  );

const NOT_PROMPTED = "Settings can only be given when the endpoint's auth_mode is prompt.";

/** The launch body: `{}` for a static endpoint, `{"settings": {"username", "password"}}` for prompt. */
export const launchRequestSchema = (authMode: string) =>
  authMode === "prompt"
    ? v.object({ settings: promptSettings() })
    : v.object({ settings: v.optional(v.custom<undefined>(() => false, NOT_PROMPTED)) });
export type LaunchRequest = { settings?: PromptSettings };
/** The launch body as documented, for either auth_mode. */
export const LaunchBodySchema = v.object({ settings: v.optional(PromptSettingsSchema) });

/** The gateway's connect and disconnect bodies. */
export const GatewayTokenRequestSchema = v.object({ token: text(255) });
export type GatewayTokenRequest = v.InferOutput<typeof GatewayTokenRequestSchema>;

/** What the gateway opens the connection with, including the prompted password. */
export const GatewayConnectionSchema = v.object({
  connection_token: v.string(),
  provider: v.number(),
  endpoint: v.string(),
  user: v.number(),
  protocol: v.string(),
  settings: v.record(v.string(), v.string()),
  expires: v.nullable(v.string()),
});
export type GatewayConnection = v.InferOutput<typeof GatewayConnectionSchema>;

export const GatewayDisconnectionSchema = v.object({ connection_token: v.string(), deleted: v.boolean() });
export type GatewayDisconnection = v.InferOutput<typeof GatewayDisconnectionSchema>;

/**
 * `GET /rac/endpoints/{pbm_uuid}/effective_settings/`: what a connection to the endpoint would use
 * now, each key with its value (secrets masked) and source. `prompt`: the keys a prompt-mode
 * launch would set over these (its values exist only per launch, so they are not in `settings`).
 */
export const EffectiveSettingsSchema = v.object({
  endpoint: v.string(),
  protocol: v.string(),
  auth_mode: v.string(),
  settings: v.record(v.string(), v.object({ value: v.string(), source: v.string() })),
  prompt: v.array(v.string()),
});
export type EffectiveSettings = v.InferOutput<typeof EffectiveSettingsSchema>;
