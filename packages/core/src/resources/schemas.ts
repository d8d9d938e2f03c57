/**
 * The valibot schemas of each resource's objects, bodies and answers: what the Worker validates with
 * and the document is generated from. Kept apart from the descriptors so the client bundles none of it.
 */
import * as v from "valibot";
import { ApplicationRequestSchema, ApplicationSchema, PatchedApplicationRequestSchema } from "../applications.ts";
import {
  ConnectionTokenRequestSchema,
  ConnectionTokenSchema,
  EffectiveSettingsSchema,
  GatewayConnectionSchema,
  GatewayDisconnectionSchema,
  GatewayTokenRequestSchema,
  LaunchBodySchema,
  LaunchedConnectionTokenSchema,
  PatchedConnectionTokenRequestSchema,
} from "../connectionTokens.ts";
import { EndpointRequestSchema, EndpointSchema, PatchedEndpointRequestSchema } from "../endpoints.ts";
import { EventSchema } from "../events.ts";
import { FlowRequestSchema, FlowSchema, PatchedFlowRequestSchema } from "../flows.ts";
import { OutpostRequestSchema, OutpostSchema, PatchedOutpostRequestSchema } from "../outposts.ts";
import { PermissionAssignResultSchema, PermissionAssignSchema } from "../permissions.ts";
import {
  PatchedRacPropertyMappingRequestSchema,
  RacPropertyMappingRequestSchema,
  RacPropertyMappingSchema,
} from "../propertyMappings.ts";
import { PatchedRacProviderRequestSchema, RacProviderRequestSchema, RacProviderSchema } from "../providers.ts";
import { PatchedTokenRequestSchema, TokenRequestSchema, TokenSchema, TokenViewSchema } from "../tokens.ts";
import {
  PatchedUserRequestSchema,
  SessionUserSchema,
  SetPasswordSchema,
  UserRequestSchema,
  UserSchema,
} from "../users.ts";
import type { BodyOf, CreateOf, ObjectOf, PatchOf, ResourceDescriptor } from "./descriptor.ts";
import { RESOURCES, type ResourceName } from "./index.ts";

/** The schemas of one operation: its body's and (for arrays, the item's) answer's. */
export interface OperationSchemas<Body = unknown> {
  body?: v.GenericSchema<unknown, Body>;
  answer?: v.GenericSchema;
}

export interface ResourceSchemas<T = unknown, Create = unknown, Patch = unknown> {
  /** The object as answered. */
  object?: v.GenericSchema<unknown, T>;
  /** The body of create and PUT. */
  create?: v.GenericSchema<unknown, Create>;
  patch?: v.GenericSchema<unknown, Patch>;
  operations: Record<string, OperationSchemas>;
}

type SchemasFor<D extends ResourceDescriptor> = ResourceSchemas<ObjectOf<D>, CreateOf<D>, PatchOf<D>> & {
  operations: { [O in keyof D["operations"]]: OperationSchemas<BodyOf<D["operations"][O]>> };
};

/** The OpenAPI document's own top level, as far as its answer is described. */
export const OpenApiDocumentSchema = v.looseObject({
  openapi: v.string(),
  info: v.looseObject({ title: v.string(), version: v.string() }),
  paths: v.record(v.string(), v.unknown()),
});

export const RESOURCE_SCHEMAS: { [N in ResourceName]: SchemasFor<(typeof RESOURCES)[N]> } = {
  flows: { object: FlowSchema, create: FlowRequestSchema, patch: PatchedFlowRequestSchema, operations: {} },
  providers: {
    object: RacProviderSchema,
    create: RacProviderRequestSchema,
    patch: PatchedRacProviderRequestSchema,
    operations: {},
  },
  users: {
    object: UserSchema,
    create: UserRequestSchema,
    patch: PatchedUserRequestSchema,
    operations: { me: { answer: SessionUserSchema }, setPassword: { body: SetPasswordSchema } },
  },
  tokens: {
    object: TokenSchema,
    create: TokenRequestSchema,
    patch: PatchedTokenRequestSchema,
    operations: { viewKey: { answer: TokenViewSchema } },
  },
  applications: {
    object: ApplicationSchema,
    create: ApplicationRequestSchema,
    patch: PatchedApplicationRequestSchema,
    operations: {},
  },
  endpoints: {
    object: EndpointSchema,
    create: EndpointRequestSchema,
    patch: PatchedEndpointRequestSchema,
    operations: {
      launch: { body: LaunchBodySchema, answer: LaunchedConnectionTokenSchema },
      effectiveSettings: { answer: EffectiveSettingsSchema },
    },
  },
  propertyMappings: {
    object: RacPropertyMappingSchema,
    create: RacPropertyMappingRequestSchema,
    patch: PatchedRacPropertyMappingRequestSchema,
    operations: {},
  },
  outposts: { object: OutpostSchema, create: OutpostRequestSchema, patch: PatchedOutpostRequestSchema, operations: {} },
  connectionTokens: {
    object: ConnectionTokenSchema,
    create: ConnectionTokenRequestSchema,
    patch: PatchedConnectionTokenRequestSchema,
    operations: {},
  },
  events: { object: EventSchema, operations: {} },
  gateway: {
    operations: {
      connect: { body: GatewayTokenRequestSchema, answer: GatewayConnectionSchema },
      disconnect: { body: GatewayTokenRequestSchema, answer: GatewayDisconnectionSchema },
    },
  },
  rbac: {
    operations: {
      assign: { body: PermissionAssignSchema, answer: PermissionAssignResultSchema },
      unassign: { body: PermissionAssignSchema },
    },
  },
  schema: { operations: { document: { answer: OpenApiDocumentSchema } } },
};

let byDescriptor: Map<ResourceDescriptor, ResourceSchemas> | undefined;

/** The schemas of a descriptor of RESOURCES (built on first use: a module-level Map would defeat tree-shaking). */
export function schemasOf<T, Create, Patch>(
  descriptor: ResourceDescriptor<T, Create, Patch>,
): Required<Omit<ResourceSchemas<T, Create, Patch>, "operations">> & ResourceSchemas<T, Create, Patch> {
  byDescriptor ??= new Map(
    Object.entries(RESOURCE_SCHEMAS).map(([name, schemas]) => [RESOURCES[name as ResourceName], schemas]),
  );
  const schemas = byDescriptor.get(descriptor);
  if (schemas?.object === undefined) throw new Error(`no schemas for ${descriptor.path}`);
  return schemas as never;
}
