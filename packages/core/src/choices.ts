/**
 * The value lists of choice fields that descriptors (and so the client) name as filter enums: kept
 * apart from the schemas so importing them pulls in no valibot.
 */

export const FLOW_DESIGNATIONS = [
  "authentication",
  "authorization",
  "invalidation",
  "enrollment",
  "unenrollment",
  "recovery",
  "stage_configuration",
] as const;

export const USER_TYPES = ["internal", "external", "service_account", "internal_service_account"] as const;

export const EVENT_ACTIONS = [
  "model_created",
  "model_updated",
  "model_deleted",
  "login",
  "login_failed",
  "logout",
  "authorize_application",
  "permission_assigned",
  "permission_unassigned",
  "rac_connect",
  "rac_disconnect",
  "rac_revoked",
] as const;
