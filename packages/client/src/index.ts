export type * from "@rac-edge/core";
export { ApiError, isApiError } from "@rac-edge/core";
export {
  type ApplicationFilter,
  type Client,
  type ClientOptions,
  type ConnectionTokenFilter,
  createClient,
  csrfCookie,
  type EndpointFilter,
  type EventFilter,
  type FlowFilter,
  type ListQuery,
  type MutableResource,
  type OutpostFilter,
  type PropertyMappingFilter,
  type ProviderFilter,
  type QueryValue,
  type ReadResource,
  type Resource,
  type SessionUserSelf,
  type TokenFilter,
  type UserFilter,
} from "./createClient.ts";
