export interface LibraryRow {
  app_name: string;
  app_slug: string;
  endpoint_uuid: string;
  endpoint_name: string;
  protocol: string;
  auth_mode: string;
}

/**
 * Endpoints with an application (only those have a launch_url), by application, protocol and name.
 * `visible`: null for every endpoint, else the uuids the caller was granted one by one.
 */
export async function libraryRows(db: D1Database, visible: string[] | null): Promise<LibraryRow[]> {
  const filter = visible === null ? "" : "WHERE e.uuid IN (SELECT value FROM json_each(?1))";
  const sql = `SELECT a.name AS app_name, a.slug AS app_slug, e.uuid AS endpoint_uuid, e.name AS endpoint_name,
      e.protocol, e.auth_mode
    FROM endpoints e JOIN applications a ON a.provider_id = e.provider_id ${filter}
    ORDER BY a.name, a.slug, e.protocol, e.name, e.uuid`;
  const statement = db.prepare(sql);
  const { results } = await (visible === null ? statement : statement.bind(JSON.stringify(visible))).all<LibraryRow>();
  return results;
}

/** The application slug an endpoint launches under (its provider's application), or null. */
export async function endpointApplicationSlug(db: D1Database, endpointUuid: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT a.slug FROM endpoints e JOIN applications a ON a.provider_id = e.provider_id WHERE e.uuid = ?1")
    .bind(endpointUuid)
    .first<{ slug: string }>();
  return row?.slug ?? null;
}
