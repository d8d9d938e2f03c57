import { codename, type ModelName, type UsedBy, type UsedByAction } from "@rac-edge/core";
import { clock } from "../clock.ts";

/** Who asks: objects they may not view are left out. */
export interface Viewer {
  userId: number;
  superuser: boolean;
}

/** One kind of object that points at a target, and what deleting the target does to it. */
interface Relation {
  model: ModelName;
  action: UsedByAction;
  /**
   * Selects `pk` (text), `name` (authentik's str()) and `owner` (a user who may always view the
   * object, or NULL) of the objects pointing at the target `?1`. Code-defined SQL only.
   */
  select: string;
}

const ENDPOINT_NAME = "'RAC Endpoint ' || e.name";
const MAPPING_NAME = "'Property Mapping ' || m.name";
// authentik names the token's session; rac-edge has no sessions, so the token's own uuid.
// Expired tokens are gone as far as the API is concerned (?4 is now), as in every list.
const CONNECTION_TOKEN = (where: string): string =>
  `SELECT ct.uuid AS pk,
     'RAC Connection token ' || ct.uuid || ' to ' || ct.provider_id || '/' || ct.endpoint_id AS name,
     ct.user_id AS owner
   FROM connection_tokens ct WHERE ${where} AND (ct.expires IS NULL OR ct.expires > ?4)`;
// Python's str(datetime) of an aware UTC time: microseconds only when non-zero.
const TOKEN_NAME = `t.identifier || CASE WHEN t.expiring = 1
  THEN ' (expires=' || CASE WHEN t.expires IS NULL THEN 'None'
    ELSE strftime('%Y-%m-%d %H:%M:%S', t.expires / 1000, 'unixepoch')
      || CASE WHEN t.expires % 1000 = 0 THEN '' ELSE '.' || printf('%06d', (t.expires % 1000) * 1000) END
      || '+00:00' END || ')'
  ELSE '' END`;

/**
 * Who points at each model, after authentik's used_by: reverse foreign keys (with their delete
 * action) and both directions of many-to-many relations (`cascade_many`).
 */
const RELATIONS: Record<ModelName, Relation[]> = {
  "authentik_providers_rac.racprovider": [
    {
      model: "authentik_providers_rac.endpoint",
      action: "cascade",
      select: `SELECT e.uuid AS pk, ${ENDPOINT_NAME} AS name, NULL AS owner FROM endpoints e WHERE e.provider_id = ?1`,
    },
    {
      model: "authentik_providers_rac.connectiontoken",
      action: "cascade",
      select: CONNECTION_TOKEN("ct.provider_id = ?1"),
    },
    {
      model: "authentik_outposts.outpost",
      action: "cascade_many",
      select: `SELECT o.uuid AS pk, 'Outpost ' || o.name AS name, NULL AS owner
               FROM outpost_providers op JOIN outposts o ON o.uuid = op.outpost_id WHERE op.provider_id = ?1`,
    },
    {
      model: "authentik_providers_rac.racpropertymapping",
      action: "cascade_many",
      select: `SELECT m.uuid AS pk, ${MAPPING_NAME} AS name, NULL AS owner
               FROM provider_property_mappings l JOIN property_mappings m ON m.uuid = l.mapping_id
               WHERE l.provider_id = ?1`,
    },
    {
      model: "authentik_core.application",
      action: "set_default",
      select: "SELECT a.uuid AS pk, a.name AS name, NULL AS owner FROM applications a WHERE a.provider_id = ?1",
    },
  ],
  "authentik_providers_rac.endpoint": [
    {
      model: "authentik_providers_rac.connectiontoken",
      action: "cascade",
      select: CONNECTION_TOKEN("ct.endpoint_id = ?1"),
    },
    {
      model: "authentik_providers_rac.racpropertymapping",
      action: "cascade_many",
      select: `SELECT m.uuid AS pk, ${MAPPING_NAME} AS name, NULL AS owner
               FROM endpoint_property_mappings l JOIN property_mappings m ON m.uuid = l.mapping_id
               WHERE l.endpoint_id = ?1`,
    },
  ],
  "authentik_providers_rac.racpropertymapping": [
    {
      model: "authentik_providers_rac.racprovider",
      action: "cascade_many",
      select: `SELECT CAST(p.id AS TEXT) AS pk, p.name AS name, NULL AS owner
               FROM provider_property_mappings l JOIN providers p ON p.id = l.provider_id WHERE l.mapping_id = ?1`,
    },
    {
      model: "authentik_providers_rac.endpoint",
      action: "cascade_many",
      select: `SELECT e.uuid AS pk, ${ENDPOINT_NAME} AS name, NULL AS owner
               FROM endpoint_property_mappings l JOIN endpoints e ON e.uuid = l.endpoint_id WHERE l.mapping_id = ?1`,
    },
  ],
  "authentik_flows.flow": [
    // Deleting such a flow is refused while providers use it (rac-edge); authentik cascades.
    {
      model: "authentik_providers_rac.racprovider",
      action: "cascade",
      select:
        "SELECT CAST(p.id AS TEXT) AS pk, p.name AS name, NULL AS owner " +
        "FROM providers p WHERE p.authorization_flow = ?1",
    },
    {
      model: "authentik_providers_rac.racprovider",
      action: "set_null",
      select:
        "SELECT CAST(p.id AS TEXT) AS pk, p.name AS name, NULL AS owner " +
        "FROM providers p WHERE p.authentication_flow = ?1",
    },
  ],
  "authentik_outposts.outpost": [
    {
      model: "authentik_providers_rac.racprovider",
      action: "cascade_many",
      select: `SELECT CAST(p.id AS TEXT) AS pk, p.name AS name, NULL AS owner
               FROM outpost_providers op JOIN providers p ON p.id = op.provider_id WHERE op.outpost_id = ?1`,
    },
  ],
  "authentik_core.user": [
    {
      model: "authentik_core.token",
      action: "cascade",
      select: `SELECT t.uuid AS pk, ${TOKEN_NAME} AS name, t.user_id AS owner FROM tokens t WHERE t.user_id = ?1`,
    },
    {
      model: "authentik_providers_rac.connectiontoken",
      action: "cascade",
      select: CONNECTION_TOKEN("ct.user_id = ?1"),
    },
  ],
  // Nothing in rac-edge's schema points at these.
  "authentik_core.application": [],
  "authentik_core.token": [],
  "authentik_providers_rac.connectiontoken": [],
  "authentik_events.event": [],
};

/**
 * The objects pointing at `model` `pk` that the caller may view (superuser, a global or object
 * `view_` grant, or owner), in one UNION ALL query: the cost does not grow with the results.
 * Binds: ?1 the target, ?2 the caller, ?3 superuser, ?4 now, ?5... each relation's view codename.
 */
export async function usedBy(db: D1Database, caller: Viewer, model: ModelName, pk: string | number): Promise<UsedBy[]> {
  const relations = RELATIONS[model];
  if (relations.length === 0) return [];
  const sql = relations
    .map(
      (relation, index) =>
        `SELECT ${index} AS relation, pk, name FROM (${relation.select})
         WHERE ?3 = 1 OR owner = ?2
           OR EXISTS (SELECT 1 FROM permissions
             WHERE user_id = ?2 AND codename = ?${index + 5} AND object_pk IN ('', pk))`,
    )
    .join(" UNION ALL ");
  const { results } = await db
    .prepare(`${sql} ORDER BY relation, name, pk`)
    .bind(
      pk,
      caller.userId,
      caller.superuser ? 1 : 0,
      clock.now(),
      ...relations.map((relation) => codename(relation.model, "view")),
    )
    .all<{ relation: number; pk: string; name: string }>();
  return results.map((row) => {
    const relation = relations[row.relation]!;
    const [app, modelName] = relation.model.split(".") as [string, string];
    return { app, model_name: modelName, pk: String(row.pk), name: row.name, action: relation.action };
  });
}
