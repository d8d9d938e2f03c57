import { type OrderTerm, type Pagination, pageRequest, paginate, parseOrdering, searchTerms } from "@rac-edge/core";

/** A SQL condition with its bound values; only code-defined SQL text reaches here. */
export interface Condition {
  sql: string;
  params: unknown[];
}

export interface ListSpec {
  /** FROM clause with joins. */
  from: string;
  /**
   * A narrower FROM that still serves the filters, search, visibility and ordering: the page's keys
   * are chosen over it, so the expensive joins and nested columns of `from` run for one page only.
   */
  keysFrom?: string;
  /** SELECT list of a page's rows. */
  select: string;
  /** The primary key expression, for per-object visibility. */
  pk: string;
  /** API ordering field -> SQL expression: the whitelist. */
  ordering: Record<string, string>;
  defaultOrdering: OrderTerm[];
  /** SQL expressions `search` terms are matched against. */
  search: string[];
  /**
   * Statements over the page's keys (`keys`, the query of the keys, must appear in each exactly
   * once), in the same batch: objects the page's rows share, such as nested ones, read once per page.
   */
  related?: Record<string, (keys: string) => string>;
}

export const condition = (sql: string, ...params: unknown[]): Condition => ({ sql, params });

/** Reads that ride in the list's batch (e.g. whether filter targets exist), verified before the page. */
export interface Precheck {
  statements: D1PreparedStatement[];
  /** Throws (a 400, say) when the results say the request is invalid; before pagination is checked. */
  verify(results: D1Result[]): void;
}

/**
 * One page of a list: filters, search, visibility, whitelisted ordering, then prechecks, count and
 * page in one D1 batch (a single round trip whatever the page size). The page picks its keys first (a
 * narrow, index-friendly query) and builds the nested rows for those keys only, so the cost of the
 * SELECT list does not grow with the number of matching rows.
 */
export async function listPage<Row>(
  db: D1Database,
  url: URL,
  spec: ListSpec,
  filters: Condition[],
  visible: string[] | null,
  precheck: Precheck = { statements: [], verify() {} },
): Promise<{ pagination: Pagination; rows: Row[]; related: Record<string, Record<string, unknown>[]> }> {
  const where: Condition[] = [...filters];
  const terms = searchTerms(url.searchParams.get("search"));
  if (terms.length > 0) {
    // Every term must match a search field. The terms travel as one JSON value: D1 allows only 100
    // bound values per statement, and a search may hold any number of terms.
    const matches = spec.search.map((expr) => `instr(lower(${expr}), lower(term.value)) > 0`).join(" OR ");
    where.push(condition(`NOT EXISTS (SELECT 1 FROM json_each(?) term WHERE NOT coalesce(${matches}, 0))`, JSON.stringify(terms)));
  }
  if (visible !== null) where.push(condition(`CAST(${spec.pk} AS TEXT) IN (SELECT value FROM json_each(?))`, JSON.stringify(visible)));
  const whereSql = where.length > 0 ? ` WHERE ${where.map((c) => c.sql).join(" AND ")}` : "";
  const params = where.flatMap((c) => c.params);
  const order = parseOrdering(url.searchParams.get("ordering"), Object.keys(spec.ordering), spec.defaultOrdering)
    .map((term) => `${spec.ordering[term.field]} ${term.descending ? "DESC" : "ASC"}`)
    .concat(`${spec.pk} ASC`)
    .join(", ");
  const checked = precheck.statements.length;
  let request: ReturnType<typeof pageRequest>;
  try {
    request = pageRequest(url.searchParams.get("page"), url.searchParams.get("page_size"));
  } catch (error) {
    // The prechecks' errors come first, as DRF filters before it paginates.
    if (checked > 0) precheck.verify(await db.batch(precheck.statements));
    throw error;
  }
  const keysFrom = spec.keysFrom ?? spec.from;
  const countSql = `SELECT count(*) AS n FROM ${keysFrom}${whereSql}`;
  const keysSql = `SELECT ${spec.pk} FROM ${keysFrom}${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`;
  const pageSql = `SELECT ${spec.select} FROM ${spec.from} WHERE ${spec.pk} IN (${keysSql}) ORDER BY ${order}`;
  const relatedSql = Object.entries(spec.related ?? {}).map(([name, sql]) => [name, sql(keysSql)] as const);
  const pageStatements = (limit: number, offset: number) =>
    [pageSql, ...relatedSql.map(([, sql]) => sql)].map((sql) => db.prepare(sql).bind(...params, limit, offset));
  const related = (results: D1Result[]) =>
    Object.fromEntries(relatedSql.map(([name], index) => [name, results[index + 1]!.results as Record<string, unknown>[]]));

  if (request.page === Number.POSITIVE_INFINITY) {
    const counted = await db.batch([...precheck.statements, db.prepare(countSql).bind(...params)]);
    precheck.verify(counted.slice(0, checked));
    const page = paginate(request, (counted[checked]!.results[0] as { n: number }).n);
    const paged = await db.batch(pageStatements(page.limit, page.offset));
    return { pagination: page.pagination, rows: paged[0]!.results as Row[], related: related(paged) };
  }
  const offset = (request.page - 1) * request.pageSize;
  const results = await db.batch([...precheck.statements, db.prepare(countSql).bind(...params), ...pageStatements(request.pageSize, offset)]);
  precheck.verify(results.slice(0, checked));
  const [counted, ...paged] = results.slice(checked);
  const count = (counted!.results[0] as { n: number }).n;
  return { pagination: paginate(request, count).pagination, rows: paged[0]!.results as Row[], related: related(paged) };
}
