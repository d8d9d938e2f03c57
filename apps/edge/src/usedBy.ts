import { errors, type ModelName } from "@rac-edge/core";
import { json } from "./http/responses.ts";
import { type Handler, prefetching } from "./http/router.ts";
import type { ReadPlan } from "./repositories/d1.ts";
import { usedBy } from "./repositories/usedBy.ts";

/**
 * `<detail path>/used_by/`: any authenticated caller, on any existing object (404 otherwise),
 * as authentik's action skips the list's RBAC filter; the answer is a bare array.
 */
export const usedByHandler = (
  model: ModelName,
  byKey: (db: D1Database, key: string) => ReadPlan<{ pk: string | number } | null>,
): Handler =>
  prefetching(
    ({ db, params }) => byKey(db, params.key!),
    async ({ db, caller }, found) => {
      const target = found();
      if (target === null) throw errors.notFound();
      return json(await usedBy(db, caller, model, target.pk));
    },
  );
