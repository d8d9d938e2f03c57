/**
 * Checks an answer against authentik's own client (`@goauthentik/api@2024.6.4-1724423607`): the
 * model its generated method parses the answer into, read from the package's declarations by
 * scripts/client-models.mjs (the CLIENT_MODELS binding). Every key the model requires must be
 * present with the model's type (enums by value, nested models recursively), and no key may be
 * one the model does not know. `call()` and `checkedFetch()` run it on every answer of the suites.
 */
import { env } from "cloudflare:workers";

interface Field {
  type: string;
  required: boolean;
}
interface ClientModels {
  models: Record<string, Record<string, Field>>;
  enums: Record<string, string[]>;
  /** API method name (camelCase operationId) to the type its `...Raw` method answers. */
  operations: Record<string, string>;
}

const client = env.CLIENT_MODELS as unknown as ClientModels;

/**
 * Enum values rac-edge answers beyond the client's enum, on purpose (README's differences): its own
 * event actions. The generated client passes enum values through as they come (`EventActionsFromJSON`).
 */
export const VALUES_BEYOND_CLIENT_ENUM: Record<string, string[]> = {
  EventActions: ["permission_assigned", "permission_unassigned", "rac_connect", "rac_disconnect", "rac_revoked"],
};

/**
 * Where rac-edge answers differently from the client's model, on purpose (README's differences):
 * `<Model>.<field>` answered null although the model says non-null, as authentik itself answers.
 */
export const NULL_WHERE_CLIENT_SAYS_NOT: Record<string, string> = {
  "RACProvider.assigned_application_slug": "no application uses the provider (authentik answers null too)",
  "RACProvider.assigned_application_name": "no application uses the provider (authentik answers null too)",
  "RACProvider.assigned_backchannel_application_slug": "no backchannel application (authentik answers null too)",
  "RACProvider.assigned_backchannel_application_name": "no backchannel application (authentik answers null too)",
  "Application.provider_obj": "the application has no provider (authentik answers null too)",
  "Outpost.service_connection_obj": "rac-edge has no service connections (authentik answers null without one)",
  "Provider.assigned_application_slug": "no application uses the provider (authentik answers null too)",
  "Provider.assigned_application_name": "no application uses the provider (authentik answers null too)",
  "Provider.assigned_backchannel_application_slug": "no backchannel application (authentik answers null too)",
  "Provider.assigned_backchannel_application_name": "no backchannel application (authentik answers null too)",
};
/** Keys rac-edge adds to a model (README's differences): `<Model>` to its extra keys. */
export const ADDITIVE_KEYS: Record<string, string[]> = {
  ConnectionToken: ["expires", "created", "connected_at"],
};

export const camelOperation = (operationId: string) =>
  operationId.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

/** The problems of `value` as the client's `type`, each as `<where>: <what>`. */
export function clientTypeProblems(
  value: unknown,
  type: string,
  where: string,
  model?: { name: string; field: string },
): string[] {
  let base = type.trim();
  let nullable = false;
  if (base.endsWith(" | null")) {
    nullable = true;
    base = base.slice(0, -" | null".length).trim();
  }
  if (value === null) {
    if (nullable || base === "any") return [];
    if (model && NULL_WHERE_CLIENT_SAYS_NOT[`${model.name}.${model.field}`]) return [];
    return [`${where}: null, the client's type is ${type}`];
  }
  const wrong = (what: string) => [`${where}: ${what}, the client's type is ${type}`];
  switch (base) {
    case "any":
      return [];
    case "string":
    case "number":
    case "boolean":
      return typeof value === base ? [] : wrong(typeof value);
    case "Date":
      return typeof value === "string" && !Number.isNaN(Date.parse(value))
        ? []
        : wrong(`not a date (${JSON.stringify(value)})`);
    case "{ [key: string]: any; }":
      return typeof value === "object" && !Array.isArray(value) ? [] : wrong("not an object");
  }
  const array = /^Array<(.+)>$/.exec(base);
  if (array) {
    if (!Array.isArray(value)) return wrong("not a list");
    return value.flatMap((item, index) => clientTypeProblems(item, array[1]!, `${where}[${index}]`));
  }
  const values = client.enums[base];
  const known = values && [...values, ...(VALUES_BEYOND_CLIENT_ENUM[base] ?? [])];
  if (known)
    return known.includes(value as string) ? [] : wrong(`${JSON.stringify(value)} is none of ${values.join(", ")}`);
  const fields = client.models[base];
  if (fields === undefined) return [`${where}: the client's type ${type} is unknown to this check`];
  if (typeof value !== "object" || Array.isArray(value)) return wrong("not an object");
  const object = value as Record<string, unknown>;
  const problems: string[] = [];
  const extra = Object.keys(object).filter(
    (key) => !(key in fields) && !("*" in fields) && !ADDITIVE_KEYS[base]?.includes(key),
  );
  if (extra.length > 0) problems.push(`${where}: ${extra.join(", ")} unknown to the client's ${base}`);
  for (const [key, field] of Object.entries(fields)) {
    if (key === "*") continue;
    if (!(key in object)) {
      if (field.required) problems.push(`${where}.${key}: missing, the client's ${base} requires it`);
      continue;
    }
    problems.push(...clientTypeProblems(object[key], field.type, `${where}.${key}`, { name: base, field: key }));
  }
  return problems;
}

/** The type the client's generated method for `operationId` parses, or undefined when it has none. */
export const clientAnswerType = (operationId: string): string | undefined =>
  client.operations[camelOperation(operationId)];

/** Throws when a 2xx answer of `operationId` does not fit the client's model. */
export function checkClientModel(operationId: string | undefined, status: number, text: string): void {
  if (operationId === undefined || status >= 300) return;
  const type = clientAnswerType(operationId);
  if (type === undefined) return; // rac-edge's extensions (launch, gateway) have no generated method
  if (type === "void") {
    if (text !== "") throw new Error(`${operationId}: the client expects no body, got ${text.slice(0, 200)}`);
    return;
  }
  const problems = text === "" ? ["the answer has no body"] : clientTypeProblems(JSON.parse(text), type, "answer");
  if (problems.length > 0)
    throw new Error(`${operationId} does not fit @goauthentik/api's ${type}:\n${problems.join("\n")}`);
}
