/**
 * The component names of core's schemas in the document: authentik's names where authentik has
 * the schema (so generated clients read alike), rac-edge's for its extensions.
 */
import * as core from "@rac-edge/core";
import * as v from "valibot";

/** authentik's `GenericError`: `{"detail": "..."}`. */
export const GenericErrorSchema = v.object({ detail: v.string(), code: v.optional(v.string()) });
/** authentik's `ValidationError`: field errors, object-level ones under `non_field_errors`. */
export const ValidationErrorSchema = v.objectWithRest(
  { non_field_errors: v.optional(v.array(v.string())) },
  v.array(v.string()),
);

export const RESPONSE_NAMES: ReadonlyMap<v.GenericSchema, string> = new Map<v.GenericSchema, string>([
  [core.ProviderSchema, "Provider"],
  [core.RacProviderSchema, "RACProvider"],
  [core.EndpointSchema, "Endpoint"],
  [core.ConnectionTokenSchema, "ConnectionToken"],
  [core.LaunchedConnectionTokenSchema, "LaunchedConnectionToken"],
  [core.GatewayConnectionSchema, "GatewayConnection"],
  [core.GatewayDisconnectionSchema, "GatewayDisconnection"],
  [core.EffectiveSettingsSchema, "EffectiveSettings"],
  [core.RacPropertyMappingSchema, "RACPropertyMapping"],
  [core.FlowSchema, "Flow"],
  [core.GroupMemberSchema, "GroupMember"],
  [core.UserSchema, "User"],
  [core.TokenSchema, "Token"],
  [core.TokenViewSchema, "TokenView"],
  [core.ApplicationSchema, "Application"],
  [core.OutpostSchema, "Outpost"],
  [core.UsedBySchema, "UsedBy"],
  [core.EventSchema, "Event"],
  [core.PermissionAssignResultSchema, "PermissionAssignResult"],
  [core.PaginationSchema, "Pagination"],
  [GenericErrorSchema, "GenericError"],
  [ValidationErrorSchema, "ValidationError"],
]);

export const REQUEST_NAMES: ReadonlyMap<v.GenericSchema, string> = new Map<v.GenericSchema, string>([
  [core.RacProviderRequestSchema, "RACProviderRequest"],
  [core.PatchedRacProviderRequestSchema, "PatchedRACProviderRequest"],
  [core.EndpointRequestSchema, "EndpointRequest"],
  [core.PatchedEndpointRequestSchema, "PatchedEndpointRequest"],
  [core.ConnectionTokenRequestSchema, "ConnectionTokenRequest"],
  [core.PatchedConnectionTokenRequestSchema, "PatchedConnectionTokenRequest"],
  [core.RacPropertyMappingRequestSchema, "RACPropertyMappingRequest"],
  [core.PatchedRacPropertyMappingRequestSchema, "PatchedRACPropertyMappingRequest"],
  [core.FlowRequestSchema, "FlowRequest"],
  [core.PatchedFlowRequestSchema, "PatchedFlowRequest"],
  [core.UserRequestSchema, "UserRequest"],
  [core.PatchedUserRequestSchema, "PatchedUserRequest"],
  [core.TokenRequestSchema, "TokenRequest"],
  [core.PatchedTokenRequestSchema, "PatchedTokenRequest"],
  [core.ApplicationRequestSchema, "ApplicationRequest"],
  [core.PatchedApplicationRequestSchema, "PatchedApplicationRequest"],
  [core.OutpostRequestSchema, "OutpostRequest"],
  [core.PatchedOutpostRequestSchema, "PatchedOutpostRequest"],
  [core.PermissionAssignSchema, "PermissionAssignRequest"],
  [core.GatewayTokenRequestSchema, "GatewayTokenRequest"],
]);
