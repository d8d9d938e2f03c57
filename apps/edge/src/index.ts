import type { Env } from "./env.ts";
import { createApi } from "./http/router.ts";
import { applicationRoutes } from "./routes/applications.ts";
import { connectionRoutes } from "./routes/connections.ts";
import { connectionTokenRoutes } from "./routes/connectionTokens.ts";
import { endpointRoutes } from "./routes/endpoints.ts";
import { flowRoutes } from "./routes/flows.ts";
import { outpostRoutes } from "./routes/outposts.ts";
import { propertyMappingRoutes } from "./routes/propertyMappings.ts";
import { providerRoutes } from "./routes/providers.ts";
import { rbacRoutes } from "./routes/rbac.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { userRoutes } from "./routes/users.ts";
import { scheduled } from "./sweep.ts";

export const api = createApi(
  flowRoutes,
  providerRoutes,
  rbacRoutes,
  userRoutes,
  tokenRoutes,
  applicationRoutes,
  endpointRoutes,
  propertyMappingRoutes,
  outpostRoutes,
  connectionTokenRoutes,
  connectionRoutes,
);

export default {
  fetch: api,
  scheduled,
} satisfies ExportedHandler<Env>;
