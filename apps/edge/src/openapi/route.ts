import * as v from "valibot";
import type { Handler, Routes } from "../http/router.ts";
import { buildDocument } from "./document.ts";
import { documented } from "./operation.ts";

/** The document's own top level, as far as its answer is described. */
const DocumentSchema = v.looseObject({
  openapi: v.string(),
  info: v.looseObject({ title: v.string(), version: v.string() }),
  paths: v.record(v.string(), v.unknown()),
});

/**
 * `GET /api/v3/schema/`: the OpenAPI document of every route in `modules` (read on first request,
 * so this module can be one of them), built once per isolate. Like every route it needs a valid
 * API token (authentik serves its schema without one; rac-edge checks the token on every route).
 */
export function schemaRoutes(modules: () => readonly Routes[]): Routes {
  let text: string | undefined;
  const handler: Handler = documented(
    {
      summary: "The OpenAPI 3.1 document of this API",
      description:
        "Generated from the same valibot schemas that validate requests. JSON only (authentik also serves YAML). Needs any valid API token (authentik's is public).",
      success: { status: 200, description: "The document.", schema: DocumentSchema },
    },
    async () => {
      text ??= JSON.stringify(buildDocument(modules()));
      return new Response(text, { headers: { "content-type": "application/json" } });
    },
  );
  return { "/api/v3/schema/": { GET: handler } };
}
