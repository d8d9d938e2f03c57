import { anonymous, type Routes } from "../http/router.ts";
import { loadOpenApiDocument } from "../lazyModules.ts";

/**
 * `GET /api/v3/schema/`: the OpenAPI document, built at build time and served as is. Public, as
 * authentik's is, so code generators can point at it; it describes the API, never data.
 */
export const schemaRoutes: Routes = {
  "/api/v3/schema/": {
    GET: anonymous(
      async () => new Response(await loadOpenApiDocument(), { headers: { "content-type": "application/json" } }),
    ),
  },
};
