import { DEFAULT_FLOW_BACKGROUND, type Flow, type FlowRequest } from "@rac-edge/core";
import { counted } from "./counts.ts";
import { isForeignKeyViolation, planOneRow, type ReadPlan } from "./d1.ts";
import { modelEvent } from "./events.ts";
import { exact, type FilterTable } from "./filters.ts";
import type { ListSpec } from "./lists.ts";
import { outcome } from "./outcomes.ts";
import { asIs, updateRow, writeBatch } from "./write.ts";

export interface FlowRow {
  uuid: string;
  name: string;
  slug: string;
  title: string;
  designation: Flow["designation"];
}

const COLUMNS = "f.uuid, f.name, f.slug, f.title, f.designation";

export const flowList: ListSpec = {
  total: counted("flows"),
  from: "flows f",
  select: COLUMNS,
  pk: "f.uuid",
  ordering: { pk: "f.uuid", slug: "f.slug", name: "f.name", title: "f.title", designation: "f.designation" },
  defaultOrdering: [{ field: "slug", descending: false }],
  search: ["f.name", "f.slug", "f.title", "f.designation"],
};

/** The list's exact filters. */
export const flowFilters: FilterTable = {
  slug: exact("f.slug"),
  name: exact("f.name"),
  designation: exact("f.designation"),
};

export const flowFromRow = (row: FlowRow): Flow => ({
  pk: row.uuid,
  policybindingmodel_ptr_id: row.uuid,
  name: row.name,
  slug: row.slug,
  title: row.title,
  designation: row.designation,
  background: DEFAULT_FLOW_BACKGROUND,
  stages: [],
  policies: [],
  cache_count: 0,
  export_url: `/api/v3/flows/instances/${encodeURIComponent(row.slug)}/export/`,
});

const selectByUuid = (db: D1Database, uuid: string) =>
  db.prepare(`SELECT ${COLUMNS} FROM flows f WHERE f.uuid = ?1`).bind(uuid);

export const flowByKey = (db: D1Database, slug: string): ReadPlan<Flow | null> =>
  planOneRow(db.prepare(`SELECT ${COLUMNS} FROM flows f WHERE f.slug = ?1`).bind(slug), flowFromRow);

const WRITABLE = asIs("name", "slug", "title", "designation");

export async function insertFlow(db: D1Database, input: FlowRequest): Promise<Flow> {
  const uuid = crypto.randomUUID();
  await writeBatch(db, [
    db
      .prepare("INSERT INTO flows (uuid, name, slug, title, designation) VALUES (?1, ?2, ?3, ?4, ?5)")
      .bind(uuid, input.name, input.slug, input.title, input.designation),
    modelEvent(db, "model_created", "authentik_flows.flow", uuid),
  ]);
  return flowFromRow({ uuid, ...input });
}

/** Only the fields given: concurrent PATCHes of different fields both land. */
export async function updateFlow(db: D1Database, current: Flow, input: Partial<FlowRequest>): Promise<Flow> {
  const row = await updateRow<FlowRow>(db, {
    table: "flows",
    key: ["uuid", current.pk],
    writable: WRITABLE,
    input,
    event: modelEvent(db, "model_updated", "authentik_flows.flow", current.pk),
    readBack: selectByUuid(db, current.pk),
  });
  return flowFromRow(row);
}

/** Refused while RAC providers use the flow as their authorization flow (FK RESTRICT). */
export async function deleteFlow(db: D1Database, flow: Flow): Promise<void> {
  try {
    const remove = db.prepare("DELETE FROM flows WHERE uuid = ?1").bind(flow.pk);
    await db.batch([modelEvent(db, "model_deleted", "authentik_flows.flow", flow.pk), remove]);
  } catch (error) {
    if (!isForeignKeyViolation(error)) throw error;
    const { results } = await db
      .prepare("SELECT name FROM providers WHERE authorization_flow = ?1 ORDER BY name LIMIT 20")
      .bind(flow.pk)
      .all<{ name: string }>();
    throw outcome({ kind: "inUse", table: "flows", key: flow.slug, users: results.map((p) => p.name) });
  }
}
