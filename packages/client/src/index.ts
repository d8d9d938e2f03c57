export type * from "@rac-edge/core";
export { ApiError, isApiError } from "@rac-edge/core";
export {
  type ApplicationFilter,
  type CallOptions,
  type Client,
  type ClientOptions,
  type ConnectionTokenFilter,
  createClient,
  type EndpointFilter,
  type FlowFilter,
  type ListQuery,
  type MutableResource,
  type OutpostFilter,
  type PropertyMappingFilter,
  type ProviderFilter,
  type QueryValue,
  type ReadResource,
  type Resource,
  type Tagged,
  type TokenFilter,
  type UserFilter,
} from "./createClient.ts";
