import type { Env } from "./env.ts";
import { createApi } from "./http/router.ts";
import { flowRoutes } from "./routes/flows.ts";
import { providerRoutes } from "./routes/providers.ts";
import { rbacRoutes } from "./routes/rbac.ts";

export const api = createApi(flowRoutes, providerRoutes, rbacRoutes);

export default {
  fetch: api,
} satisfies ExportedHandler<Env>;
