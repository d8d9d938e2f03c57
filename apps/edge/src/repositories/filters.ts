/**
 * A list's query-string filters as a table keyed by query parameter, kept beside the SQL they write
 * (each repository owns its table aliases): a parameter parses its values and answers its condition,
 * the counter row that counts what it keeps, and reads that check its ids in the list's own batch.
 */
import { parseIntegerKey, queryBoolean } from "@rac-edge/core";
import { type Condition, condition, type Precheck } from "./lists.ts";

/** What one given parameter adds to a list. */
export interface FilterPart {
  where?: Condition;
  /** The number of rows this filter alone keeps, from counter rows (repositories/counts.ts). */
  count?: Condition;
  /** Reads in the list's batch that check the parameter's ids (django-filter's 400 for an unknown choice). */
  check?: Precheck;
}

/** A parameter's part from its values; undefined: no filter (absent or empty). Throws an outcome when malformed. */
export type Filter = (values: string[], db: D1Database) => FilterPart | undefined;

export type FilterTable = Record<string, Filter>;

/** What a request's filters add to a list, all parameters parsed once. */
export interface ListFilters {
  where: Condition[];
  /** A counter-row count of what `where` keeps, when one filter alone has one (undefined: `count(*)`). */
  count?: Condition;
  precheck?: Precheck;
}

/** The filters of `table` the query string gives, in the table's order (the first malformed one answers). */
export function listFilters(table: FilterTable, url: URL, db: D1Database): ListFilters {
  const parts: FilterPart[] = [];
  for (const [parameter, filter] of Object.entries(table)) {
    if (!url.searchParams.has(parameter)) continue;
    const part = filter(url.searchParams.getAll(parameter), db);
    if (part !== undefined) parts.push(part);
  }
  const checks = parts.flatMap((part) => (part.check ? [part.check] : []));
  const precheck: Precheck = {
    statements: checks.flatMap((check) => check.statements),
    verify(results) {
      let offset = 0;
      for (const check of checks) {
        check.verify(results.slice(offset, offset + check.statements.length));
        offset += check.statements.length;
      }
    },
  };
  const where = parts.flatMap((part) => (part.where ? [part.where] : []));
  return { where, count: parts.length === 1 ? parts[0]!.count : undefined, precheck };
}

/** `column = value` for the parameter's (first) value, as given (an empty value too). */
export const exact =
  (column: string): Filter =>
  (values) => ({ where: condition(`${column} = ?`, values[0]) });

/** `column = value`, ignoring case. */
export const exactNoCase =
  (column: string): Filter =>
  (values) => ({ where: condition(`${column} = ? COLLATE NOCASE`, values[0]) });

/** A condition for DRF's boolean query values; anything else is no filter. */
export const flag =
  (conditionOf: (value: boolean) => Condition): Filter =>
  (values) => {
    const value = queryBoolean(values[0] ?? null);
    return value === null ? undefined : { where: conditionOf(value) };
  };

/** An integer id as a ModelChoiceFilter reads it; empty is no filter, malformed null. */
export function integerId(value: string | undefined): number | null | undefined {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return undefined;
  return parseIntegerKey(trimmed);
}

/** The CRUD layer's filter hook of a filter table. */
export const filtering =
  (table: FilterTable) =>
  (url: URL, db: D1Database): ListFilters =>
    listFilters(table, url, db);
