import { type OrderTerm, type Pagination, pageRequest, paginate, parseOrdering, searchTerms } from "@rac-edge/core";

/** A SQL condition with its bound values; only code-defined SQL text reaches here. */
export interface Condition {
  sql: string;
  params: unknown[];
}

export interface ListSpec {
  /** FROM clause with joins. */
  from: string;
  /** SELECT list of a page's rows. */
  select: string;
  /** The primary key expression, for per-object visibility. */
  pk: string;
  /** API ordering field -> SQL expression: the whitelist. */
  ordering: Record<string, string>;
  defaultOrdering: OrderTerm[];
  /** SQL expressions `search` terms are matched against. */
  search: string[];
}

export const condition = (sql: string, ...params: unknown[]): Condition => ({ sql, params });

/**
 * One page of a list: filters, search, visibility, whitelisted ordering, then count and page in
 * one D1 batch (a single round trip whatever the page size).
 */
export async function listPage<Row>(
  db: D1Database,
  url: URL,
  spec: ListSpec,
  filters: Condition[],
  visible: string[] | null,
): Promise<{ pagination: Pagination; rows: Row[] }> {
  const where: Condition[] = [...filters];
  for (const term of searchTerms(url.searchParams.get("search"))) {
    where.push({
      sql: `(${spec.search.map((expr) => `instr(lower(${expr}), lower(?)) > 0`).join(" OR ")})`,
      params: spec.search.map(() => term),
    });
  }
  if (visible !== null) where.push(condition(`CAST(${spec.pk} AS TEXT) IN (SELECT value FROM json_each(?))`, JSON.stringify(visible)));
  const whereSql = where.length > 0 ? ` WHERE ${where.map((c) => c.sql).join(" AND ")}` : "";
  const params = where.flatMap((c) => c.params);
  const order = parseOrdering(url.searchParams.get("ordering"), Object.keys(spec.ordering), spec.defaultOrdering)
    .map((term) => `${spec.ordering[term.field]} ${term.descending ? "DESC" : "ASC"}`)
    .concat(`${spec.pk} ASC`)
    .join(", ");
  const request = pageRequest(url.searchParams.get("page"), url.searchParams.get("page_size"));
  const countSql = `SELECT count(*) AS n FROM ${spec.from}${whereSql}`;
  const pageSql = `SELECT ${spec.select} FROM ${spec.from}${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`;

  if (request.page === Number.POSITIVE_INFINITY) {
    const count =
      (
        await db
          .prepare(countSql)
          .bind(...params)
          .first<{ n: number }>()
      )?.n ?? 0;
    const page = paginate(request, count);
    const { results } = await db
      .prepare(pageSql)
      .bind(...params, page.limit, page.offset)
      .all<Row>();
    return { pagination: page.pagination, rows: results };
  }
  const offset = (request.page - 1) * request.pageSize;
  const [counted, paged] = await db.batch([db.prepare(countSql).bind(...params), db.prepare(pageSql).bind(...params, request.pageSize, offset)]);
  const count = (counted!.results[0] as { n: number }).n;
  return { pagination: paginate(request, count).pagination, rows: paged!.results as Row[] };
}
