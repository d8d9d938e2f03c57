import { consoleFetch } from "./console.ts";
import type { Env } from "./env.ts";
import { errorResponse } from "./http/responses.ts";
import { createApi, type Routes } from "./http/router.ts";
import { applicationRoutes } from "./routes/applications.ts";
import { connectionTokenRoutes } from "./routes/connectionTokens.ts";
import { effectiveSettingsRoutes } from "./routes/effectiveSettings.ts";
import { endpointRoutes } from "./routes/endpoints.ts";
import { eventRoutes } from "./routes/events.ts";
import { flowRoutes } from "./routes/flows.ts";
import { gatewayRoutes } from "./routes/gateway.ts";
import { healthRoutes } from "./routes/health.ts";
import { launchRoutes } from "./routes/launch.ts";
import { outpostRoutes } from "./routes/outposts.ts";
import { propertyMappingRoutes } from "./routes/propertyMappings.ts";
import { providerRoutes } from "./routes/providers.ts";
import { rbacRoutes } from "./routes/rbac.ts";
import { schemaRoutes } from "./routes/schema.ts";
import { sessionRoutes } from "./routes/session.ts";
import { tokenRoutes } from "./routes/tokens.ts";
import { userRoutes } from "./routes/users.ts";
import { sessionFetch } from "./sessions/routes.ts";
import { signinFetch } from "./signin/routes.ts";
import { scheduled } from "./sweep.ts";

/** Every route module. The router, and anything that must cover every route, read this one list. */
export const routes: Routes[] = [
  flowRoutes,
  providerRoutes,
  rbacRoutes,
  // Before userRoutes: `/core/users/me/` would otherwise match `/core/users/:key/`.
  sessionRoutes,
  userRoutes,
  tokenRoutes,
  applicationRoutes,
  endpointRoutes,
  effectiveSettingsRoutes,
  propertyMappingRoutes,
  outpostRoutes,
  connectionTokenRoutes,
  launchRoutes,
  gatewayRoutes,
  eventRoutes,
  schemaRoutes,
];

/** The health checks answer outside the REST API, without a token. */
export const api = createApi(...routes, healthRoutes);

/** The data plane's paths (`/if/rac/`, `/ws/rac/`, token in the path) first, then the API. */
async function fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  try {
    return (
      (await sessionFetch(request, env, ctx)) ??
      (await signinFetch(request, env)) ??
      (await consoleFetch(request, env)) ??
      (await api(request, env, ctx))
    );
  } catch (error) {
    return errorResponse(error);
  }
}

export default {
  fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
