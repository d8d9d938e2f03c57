import { type ApiError, errors, type FieldErrors, filterChoiceMessage, MESSAGES } from "@rac-edge/core";
import { isOutcome, type Outcome } from "../repositories/outcomes.ts";

/** A unique column's field and authentik's (Django's) text for it. */
const TAKEN: Record<string, [field: string, text: string]> = {
  "flows.slug": ["slug", "Flow with this slug already exists."],
  "providers.name": ["name", "provider with this name already exists."],
  "property_mappings.name": ["name", "Property Mapping with this name already exists."],
  "property_mappings.managed": ["managed", "Property Mapping with this Managed by authentik already exists."],
  "applications.slug": ["slug", "Application with this slug already exists."],
  "applications.provider_id": ["provider", "Application with this provider already exists."],
  "outposts.name": ["name", "Outpost with this name already exists."],
  "users.username": ["username", "A user with that username already exists."],
  "tokens.identifier": ["identifier", "Token with this identifier already exists."],
};

/** Why a delete is refused, by the table of the object kept. */
const IN_USE: Record<string, (key: string, users: string[]) => string> = {
  flows: (slug, names) =>
    `Flow "${slug}" is the authorization flow of these providers: ${names.join(", ")}. Change or delete them first.`,
};

const ALREADY_CONNECTED = " (You are already connected in another tab/window)";

/** The one table from repository outcomes to DRF's statuses and texts. */
export function outcomeError(outcome: Outcome): ApiError {
  switch (outcome.kind) {
    case "notFound":
      return errors.notFound();
    case "taken": {
      const fields: FieldErrors = {};
      for (const column of outcome.columns) {
        const [field, text] = TAKEN[column] ?? [column.split(".")[1]!, "This value already exists."];
        fields[field] = [text];
      }
      return errors.validation(fields);
    }
    case "referenceGone":
      return errors.field(outcome.field, `Invalid pk "${String(outcome.id)}" - object does not exist.`);
    case "inUse":
      return errors.nonField(IN_USE[outcome.table]?.(outcome.key, outcome.users) ?? "The object is in use.");
    case "limitReached":
      return errors.conflict(`Maximum connection limit reached.${outcome.callerHoldsOne ? ALREADY_CONNECTED : ""}`);
    case "callerGone":
      return errors.tokenInvalid();
    case "unknownChoice": {
      const text = outcome.value === undefined ? MESSAGES.filterChoice : filterChoiceMessage(outcome.value);
      return errors.field(outcome.parameter, text);
    }
    case "malformedUuid":
      return errors.field(outcome.parameter, "Enter a valid UUID.");
  }
}

/** A thrown repository outcome as its ApiError; anything else as it is. */
export const apiErrorOf = (thrown: unknown): unknown => (isOutcome(thrown) ? outcomeError(thrown.outcome) : thrown);
