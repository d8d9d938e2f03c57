import {
  type Application,
  type ApplicationRequest,
  errors,
  type PatchedApplicationRequest,
  type Provider,
  RAC_LAUNCH_URL,
} from "@rac-edge/core";
import type { ListSpec } from "../lists.ts";
import { counted } from "./counts.ts";
import { isForeignKeyViolation, oneRow, type Reads, uniqueViolation } from "./d1.ts";
import { modelEvent } from "./events.ts";
import { baseProviderFromRow, PROVIDER_APPLICATION_JOIN, providerColumns } from "./providers.ts";

interface ApplicationRow {
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
const COLUMNS = `a.uuid, a.name, a.slug, a.provider_id, a.open_in_new_tab, a.meta_launch_url, a.meta_description, a.meta_publisher,
  a.policy_engine_mode, a."group" AS app_group, ${providerColumns(PROVIDER_PREFIX)}`;

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

const selectWhere = (where: string) => `SELECT ${COLUMNS} FROM ${FROM} WHERE ${where}`;

export const applicationByKey = (db: D1Database, slug: string): Reads<Application | null> =>
  oneRow(db.prepare(selectWhere("a.slug = ?1")).bind(slug), applicationFromRow);

/** Constraint failures as authentik's field errors: unique slug, one application per provider. */
function constraintError(error: unknown, provider: number | null | undefined): unknown {
  const column = uniqueViolation(error);
  if (column === "applications.slug") return errors.field("slug", "Application with this slug already exists.");
  if (column === "applications.provider_id")
    return errors.field("provider", "Application with this provider already exists.");
  // The provider was deleted between the reference check and the write.
  if (isForeignKeyViolation(error))
    return errors.field("provider", `Invalid pk "${provider}" - object does not exist.`);
  return error;
}

/** Request field -> [column, stored value]; the only names that reach SQL text. */
const WRITABLE: Record<string, [string, (value: unknown) => unknown]> = {
  name: ["name", (value) => value],
  slug: ["slug", (value) => value],
  provider: ["provider_id", (value) => value],
  open_in_new_tab: ["open_in_new_tab", (value) => (value ? 1 : 0)],
  meta_launch_url: ["meta_launch_url", (value) => value],
  meta_description: ["meta_description", (value) => value],
  meta_publisher: ["meta_publisher", (value) => value],
  policy_engine_mode: ["policy_engine_mode", (value) => value],
  group: ['"group"', (value) => value],
};

export async function insertApplication(db: D1Database, input: ApplicationRequest): Promise<Application> {
  const uuid = crypto.randomUUID();
  try {
    const [, , selected] = await db.batch<ApplicationRow>([
      db
        .prepare(
          `INSERT INTO applications (uuid, name, slug, provider_id, open_in_new_tab, meta_launch_url, meta_description, meta_publisher, policy_engine_mode, "group")
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
    ]);
    return applicationFromRow(selected!.results[0]!);
  } catch (error) {
    throw constraintError(error, input.provider);
  }
}

export async function updateApplication(
  db: D1Database,
  uuid: string,
  input: PatchedApplicationRequest,
): Promise<Application> {
  const fields = Object.keys(input).filter((field) => field in WRITABLE);
  const statements: D1PreparedStatement[] = [];
  if (fields.length > 0) {
    const sets = fields.map((field, index) => `${WRITABLE[field]![0]} = ?${index + 2}`).join(", ");
    const values = fields.map((field) => WRITABLE[field]![1](input[field as keyof PatchedApplicationRequest]));
    statements.push(db.prepare(`UPDATE applications SET ${sets} WHERE uuid = ?1`).bind(uuid, ...values));
  }
  statements.push(modelEvent(db, "model_updated", "authentik_core.application", uuid));
  statements.push(db.prepare(selectWhere("a.uuid = ?1")).bind(uuid));
  try {
    const results = await db.batch<ApplicationRow>(statements);
    const row = results[results.length - 1]!.results[0];
    if (row === undefined) throw errors.notFound(); // deleted meanwhile
    return applicationFromRow(row);
  } catch (error) {
    throw constraintError(error, input.provider);
  }
}

/** The provider, if any, becomes free for another application. */
export async function deleteApplication(db: D1Database, uuid: string): Promise<void> {
  const remove = db.prepare("DELETE FROM applications WHERE uuid = ?1").bind(uuid);
  await db.batch([modelEvent(db, "model_deleted", "authentik_core.application", uuid), remove]);
}
