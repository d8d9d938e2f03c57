export { ApiError, type ErrorBody, type Paginated, type Pagination } from "@rac-edge/core";
export { type Client, type ClientOptions, createClient, type Query, type Resource, type UsedBy } from "./createClient.ts";
