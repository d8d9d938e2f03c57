import {
  type Application,
  type ApplicationRequest,
  type PatchedApplicationRequest,
  type Provider,
  RAC_LAUNCH_URL,
} from "@rac-edge/core";
import { counted } from "./counts.ts";
import { planOneRow, type ReadPlan } from "./d1.ts";
import { modelEvent } from "./events.ts";
import { exact, type FilterTable } from "./filters.ts";
import type { ListSpec } from "./lists.ts";
import type { Outcome } from "./outcomes.ts";
import { baseProviderFromRow, PROVIDER_APPLICATION_JOIN, providerColumns } from "./providers.ts";
import { asFlag, asIs, updateRow, type Writable, writeBatch } from "./write.ts";

export interface ApplicationRow {
  uuid: string;
  name: string;
  slug: string;
  provider_id: number | null;
  open_in_new_tab: number;
  meta_launch_url: string;
  meta_description: string;
  meta_publisher: string;
  policy_engine_mode: Application["policy_engine_mode"];
  app_group: string;
  [providerColumn: string]: unknown;
}

const PROVIDER_PREFIX = "provider__";
const FROM = `applications a LEFT JOIN providers p ON p.id = a.provider_id ${PROVIDER_APPLICATION_JOIN}`;
const COLUMNS = `a.uuid, a.name, a.slug, a.provider_id, a.open_in_new_tab, a.meta_launch_url, a.meta_description,
  a.meta_publisher, a.policy_engine_mode, a."group" AS app_group, ${providerColumns(PROVIDER_PREFIX)}`;

/** authentik's base Provider (no RAC fields), as an application nests it. */
const baseProvider = (row: ApplicationRow): Provider => baseProviderFromRow(row, PROVIDER_PREFIX);

/** authentik's get_launch_url: the application's own URL, else its provider's (RAC: a fixed URL). */
function launchUrl(row: ApplicationRow): string | null {
  if (row.meta_launch_url !== "") return row.meta_launch_url;
  return row.provider_id === null ? null : RAC_LAUNCH_URL;
}

export const applicationFromRow = (row: ApplicationRow): Application => ({
  pk: row.uuid,
  name: row.name,
  slug: row.slug,
  provider: row.provider_id,
  provider_obj: row.provider_id === null ? null : baseProvider(row),
  backchannel_providers: [],
  backchannel_providers_obj: [],
  launch_url: launchUrl(row),
  open_in_new_tab: row.open_in_new_tab === 1,
  meta_launch_url: row.meta_launch_url,
  meta_icon: null,
  meta_description: row.meta_description,
  meta_publisher: row.meta_publisher,
  policy_engine_mode: row.policy_engine_mode,
  group: row.app_group,
});

export const applicationList: ListSpec = {
  total: counted("applications"),
  from: FROM,
  select: COLUMNS,
  pk: "a.uuid",
  ordering: {
    pk: "a.uuid",
    name: "a.name",
    slug: "a.slug",
    group: 'a."group"',
    meta_publisher: "a.meta_publisher",
    policy_engine_mode: "a.policy_engine_mode",
    open_in_new_tab: "a.open_in_new_tab",
  },
  defaultOrdering: [{ field: "name", descending: false }],
  search: ["a.name", "a.slug", "a.meta_publisher", "a.meta_description", 'a."group"'],
};

/** Exact filters; `group` needs quoting in SQL. */
export const applicationFilters: FilterTable = {
  name: exact("a.name"),
  slug: exact("a.slug"),
  group: exact('a."group"'),
};

const selectWhere = (where: string) => `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where}`;

export const applicationByKey = (db: D1Database, slug: string): ReadPlan<Application | null> =>
  planOneRow(db.prepare(selectWhere("a.slug = ?1")).bind(slug), applicationFromRow);

/** The provider was deleted between the reference check and the write. */
const providerGone = (provider: number | null | undefined): Outcome => ({
  kind: "referenceGone",
  field: "provider",
  id: provider,
});

const WRITABLE: Writable = {
  ...asIs("name", "slug", "meta_launch_url", "meta_description", "meta_publisher", "policy_engine_mode"),
  provider: { column: "provider_id" },
  open_in_new_tab: { column: "open_in_new_tab", encode: asFlag },
  group: { column: '"group"' },
};

export async function insertApplication(db: D1Database, input: ApplicationRequest): Promise<Application> {
  const uuid = crypto.randomUUID();
  const [, , selected] = await writeBatch<ApplicationRow>(
    db,
    [
      db
        .prepare(
          `INSERT INTO applications (uuid, name, slug, provider_id, open_in_new_tab, meta_launch_url, meta_description,
             meta_publisher, policy_engine_mode, "group")
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
        )
        .bind(
          uuid,
          input.name,
          input.slug,
          input.provider ?? null,
          input.open_in_new_tab ? 1 : 0,
          input.meta_launch_url ?? "",
          input.meta_description ?? "",
          input.meta_publisher ?? "",
          input.policy_engine_mode ?? "any",
          input.group ?? "",
        ),
      modelEvent(db, "model_created", "authentik_core.application", uuid),
      db.prepare(selectWhere("a.uuid = ?1")).bind(uuid),
    ],
    providerGone(input.provider),
  );
  return applicationFromRow(selected!.results[0]!);
}

export async function updateApplication(
  db: D1Database,
  uuid: string,
  input: PatchedApplicationRequest,
): Promise<Application> {
  const row = await updateRow<ApplicationRow>(db, {
    table: "applications",
    key: ["uuid", uuid],
    writable: WRITABLE,
    input,
    event: modelEvent(db, "model_updated", "authentik_core.application", uuid),
    readBack: db.prepare(selectWhere("a.uuid = ?1")).bind(uuid),
    reference: providerGone(input.provider),
  });
  return applicationFromRow(row);
}

/** The provider, if any, becomes free for another application. */
export async function deleteApplication(db: D1Database, uuid: string): Promise<void> {
  const remove = db.prepare("DELETE FROM applications WHERE uuid = ?1").bind(uuid);
  await db.batch([modelEvent(db, "model_deleted", "authentik_core.application", uuid), remove]);
}
