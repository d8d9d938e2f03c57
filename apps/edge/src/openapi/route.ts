import * as v from "valibot";
import { anonymous, type Handler, type Routes } from "../http/router.ts";
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
 * so this module can be one of them), built once per isolate. Public, as authentik's is, so code
 * generators can point at it; it describes the API, never data.
 */
export function schemaRoutes(modules: () => readonly Routes[]): Routes {
  let text: string | undefined;
  const handler: Handler = documented(
    {
      summary: "The OpenAPI 3.1 document of this API",
      description:
        "Generated from the same valibot schemas that validate requests. JSON only (authentik also serves YAML). Public: answers without a token, as authentik's does.",
      public: true,
      success: { status: 200, description: "The document.", schema: DocumentSchema },
    },
    anonymous(async () => {
      text ??= JSON.stringify(buildDocument(modules()));
      return new Response(text, { headers: { "content-type": "application/json" } });
    }),
  );
  return { "/api/v3/schema/": { GET: handler } };
}
