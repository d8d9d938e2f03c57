import { applications } from "./applications.ts";
import { connectionTokens } from "./connectionTokens.ts";
import { endpoints } from "./endpoints.ts";
import { events } from "./events.ts";
import { flows } from "./flows.ts";
import { gateway, rbac, schema } from "./operations.ts";
import { outposts } from "./outposts.ts";
import { propertyMappings } from "./propertyMappings.ts";
import { providers } from "./providers.ts";
import { tokens } from "./tokens.ts";
import { users } from "./users.ts";

export * from "./descriptor.ts";

/** Every resource of the API, by name: what the routes, the client, the document and the tests list. */
export const RESOURCES = {
  flows,
  providers,
  users,
  tokens,
  applications,
  endpoints,
  propertyMappings,
  outposts,
  connectionTokens,
  events,
  gateway,
  rbac,
  schema,
} as const;
export type ResourceName = keyof typeof RESOURCES;
