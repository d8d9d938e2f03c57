import { type OrderTerm, type Pagination, pageRequest, paginate, parseOrdering, searchTerms } from "@rac-edge/core";
import type { ReadPlan } from "./d1.ts";

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
  /**
   * The SELECT list is cheap (columns of `from`): the page is one ordered, limited query. Otherwise
   * the page's keys are chosen first and the SELECT list runs for them only (after a sort, SQLite
   * would compute it for every matching row).
   */
  cheapSelect?: boolean;
  /** The primary key expression, for per-object visibility. */
  pk: string;
  /** API ordering field -> SQL expression: the whitelist. */
  ordering: Record<string, string>;
  defaultOrdering: OrderTerm[];
  /** SQL expressions `search` terms are matched against. */
  search: string[];
  /**
   * Statements over the page (`page`, the query of its rows, must appear in each exactly once), in
   * the same batch: objects the page's rows share, such as nested ones, read once per page.
   */
  related?: Record<string, (page: string) => string>;
  /** The number of rows with no filter, from a counter row (`counted` in repositories/counts.ts). */
  total?: Condition;
}

export const condition = (sql: string, ...params: unknown[]): Condition => ({ sql, params });

/** A guard that finds no row: reads made without a caller read nothing. */
export const NO_CALLER: Condition = condition("SELECT 1 WHERE 0");

/** Reads that ride in the list's batch (e.g. whether filter targets exist), verified before the page. */
export interface Precheck {
  statements: D1PreparedStatement[];
  /** Throws (a 400, say) when the results say the request is invalid; before pagination is checked. */
  verify(results: D1Result[]): void;
}

/** What a page is read with besides the query string. */
export interface ListQuery {
  filters: Condition[];
  /** null (the default): every object is visible; otherwise the pks of the visible ones. */
  visible?: string[] | null;
  precheck?: Precheck;
  /**
   * A query that finds a row only for a real caller (`RequestContext.knownKey`). The page and
   * the count loop over it first, so a page read before authentication costs a made-up key nothing.
   */
  guard?: Condition;
  /**
   * A scalar SQL expression equal to the number of rows `filters` keep, read from counter rows
   * (repositories/counts.ts) instead of the rows themselves. Ignored with a search or a visibility
   * limit, which `count(*)` counts instead.
   */
  count?: Condition;
}

const NO_PRECHECK: Precheck = { statements: [], verify() {} };

export interface ListPage<Row> {
  pagination: Pagination;
  rows: Row[];
  related: Record<string, Record<string, unknown>[]>;
}

/**
 * One page of a list: filters, search, visibility, whitelisted ordering, then prechecks, count and
 * page in one D1 batch (a single round trip whatever the page size). The page picks its keys first (a
 * narrow, index-friendly query) and builds the nested rows for those keys only, so the cost of the
 * SELECT list does not grow with the number of matching rows. Planned, not run: the batch can carry
 * other reads (`runPlan` runs it alone). Errors in the query string surface when it is read.
 */
export function planListPage<Row>(
  db: D1Database,
  url: URL,
  spec: ListSpec,
  { filters, visible = null, precheck = NO_PRECHECK, guard, count: counted }: ListQuery,
): ReadPlan<Promise<ListPage<Row>>> {
  const where: Condition[] = [...filters];
  const terms = searchTerms(url.searchParams.get("search"));
  if (terms.length > 0) {
    // Every term must match a search field. The terms travel as one JSON value: D1 allows only 100
    // bound values per statement, and a search may hold any number of terms.
    const matches = spec.search.map((expr) => `instr(lower(${expr}), lower(term.value)) > 0`).join(" OR ");
    where.push(
      condition(
        `NOT EXISTS (SELECT 1 FROM json_each(?) term WHERE NOT coalesce(${matches}, 0))`,
        JSON.stringify(terms),
      ),
    );
  }
  if (visible !== null) {
    // The bare IN reaches the visible rows through the primary key (a CAST alone would scan the
    // table); the CAST keeps the match exact for integer keys ("05" is not 5).
    const pks = JSON.stringify(visible);
    const byKey = `${spec.pk} IN (SELECT value FROM json_each(?))`;
    const exact = `CAST(${spec.pk} AS TEXT) IN (SELECT value FROM json_each(?))`;
    where.push(condition(`${byKey} AND ${exact}`, pks, pks));
  }
  const whereSql = where.length > 0 ? ` WHERE ${where.map((c) => c.sql).join(" AND ")}` : "";
  // CROSS JOIN keeps the guard the outer loop: no row, no scan.
  const guarded = guard === undefined ? "" : `(${guard.sql}) AS guard CROSS JOIN `;
  const params = [...(guard?.params ?? []), ...where.flatMap((c) => c.params)];
  const checked = precheck.statements.length;
  const order = parseOrdering(url.searchParams.get("ordering"), Object.keys(spec.ordering), spec.defaultOrdering)
    .map((term) => `${spec.ordering[term.field]} ${term.descending ? "DESC" : "ASC"}`)
    .concat(`${spec.pk} ASC`)
    .join(", ");
  let request: ReturnType<typeof pageRequest>;
  try {
    request = pageRequest(url.searchParams.get("page"), url.searchParams.get("page_size"));
  } catch (error) {
    // The prechecks' errors come first, as DRF filters before it paginates.
    return {
      statements: precheck.statements,
      read: async (results) => {
        precheck.verify(results);
        throw error;
      },
    };
  }
  const from = `${guarded}${spec.from}${whereSql}`;
  // Counter rows when they count what is asked: no search, no visibility limit. Bound in text order (the guard last).
  const guardedCount = guard === undefined ? "" : ` FROM (${guard.sql}) AS guard`;
  const countStatement =
    counted !== undefined && terms.length === 0 && visible === null
      ? db.prepare(`SELECT ${counted.sql} AS n${guardedCount}`).bind(...counted.params, ...(guard?.params ?? []))
      : db.prepare(`SELECT count(*) AS n FROM ${from}`).bind(...params);
  const pageSql = spec.cheapSelect
    ? `SELECT ${spec.select} FROM ${from} ORDER BY ${order} LIMIT ? OFFSET ?`
    : `SELECT ${spec.select} FROM ${spec.from}
       WHERE ${spec.pk} IN (SELECT ${spec.pk} FROM ${from} ORDER BY ${order} LIMIT ? OFFSET ?) ORDER BY ${order}`;
  const relatedSql = Object.entries(spec.related ?? {}).map(([name, sql]) => [name, sql(pageSql)] as const);
  const pageStatements = (limit: number, offset: number) =>
    [pageSql, ...relatedSql.map(([, sql]) => sql)].map((sql) => db.prepare(sql).bind(...params, limit, offset));
  const page = (paged: D1Result[]) => ({
    rows: paged[0]!.results as Row[],
    related: Object.fromEntries(
      relatedSql.map(([name], index) => [name, paged[index + 1]!.results as Record<string, unknown>[]]),
    ),
  });
  const count = (results: D1Result[]) => {
    precheck.verify(results.slice(0, checked));
    // No row: the guard found no key (a request that fails its authentication never reads this).
    return (results[checked]!.results[0] as { n: number } | undefined)?.n ?? 0;
  };

  if (request.page === Number.POSITIVE_INFINITY) {
    // The last page: its offset needs the count, so the page is a second batch.
    return {
      statements: [...precheck.statements, countStatement],
      read: async (results) => {
        const last = paginate(request, count(results));
        return { pagination: last.pagination, ...page(await db.batch(pageStatements(last.limit, last.offset))) };
      },
    };
  }
  const paged = pageStatements(request.pageSize, (request.page - 1) * request.pageSize);
  return {
    statements: [...precheck.statements, countStatement, ...paged],
    read: async (results) => ({
      pagination: paginate(request, count(results)).pagination,
      ...page(results.slice(checked + 1)),
    }),
  };
}
