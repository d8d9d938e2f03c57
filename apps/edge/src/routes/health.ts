import { anonymous, type Routes } from "../http/router.ts";
import { databaseAnswers } from "../repositories/health.ts";

/**
 * authentik's health checks, without a token: live is 204 while the Worker runs; ready is 204 when
 * D1 answers one cheap query, 503 otherwise. Not part of the REST API (nor its OpenAPI document).
 */
export const healthRoutes: Routes = {
  "/-/health/live/": { GET: anonymous(async () => new Response(null, { status: 204 })) },
  "/-/health/ready/": {
    GET: anonymous(async ({ db }) =>
      (await databaseAnswers(db))
        ? new Response(null, { status: 204 })
        : Response.json({ detail: "The database does not answer." }, { status: 503 }),
    ),
  },
};
