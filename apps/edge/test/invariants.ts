/** What every answer must respect, and the route list the fuzzer and the matrix walk. */
import { env, exports } from "cloudflare:workers";
import type { Method } from "../src/http/router.ts";
import { routes } from "../src/index.ts";
import { BASE } from "./helpers.ts";

export interface RouteMethod {
  /** The router's path, with `:param` placeholders and a trailing slash. */
  path: string;
  method: Method;
  /** `"<METHOD> <path>"`, the matrix's row key. */
  key: string;
}

/** Every route and method the Worker serves, read from the same list the router is built from. */
export const ROUTE_METHODS: RouteMethod[] = routes.flatMap((module) =>
  Object.entries(module).flatMap(([path, methods]) =>
    (Object.keys(methods) as Method[]).map((method) => ({ path, method, key: `${method} ${path}` })),
  ),
);

/** Fills a route's `:param` placeholders (already URL-encoded values). */
export const fillPath = (path: string, value: (param: string) => string): string =>
  path.replace(/:(\w+)/g, (_, param: string) => value(param));

/**
 * authentik's error bodies: `{"detail": string}` (optionally with a string `code`), or field errors,
 * an object whose every value is a non-empty list of strings (`non_field_errors` included).
 */
export function isAuthentikError(body: unknown): boolean {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return false;
  const entries = Object.entries(body);
  if (entries.length === 0) return false;
  if ("detail" in body)
    return entries.every(([key, value]) => (key === "detail" || key === "code") && typeof value === "string");
  return entries.every(
    ([, value]) => Array.isArray(value) && value.length > 0 && value.every((message) => typeof message === "string"),
  );
}

/** The test-only table of write counts (writeCounts); not part of a dump. */
const WRITE_COUNTS = "test_write_counts";
let tableSelects: Map<string, string> | undefined;

/**
 * One SELECT per table of the schema and sqlite_sequence (a rolled back insert leaves no trace there either),
 * built once; migrations' and Cloudflare's internal tables aside. SQLite renders a table's rows, ordered by
 * every column, as one JSON text (each value's type beside it, blobs in hex): comparing those texts is comparing
 * every row, without shipping rows one by one.
 */
async function selects(): Promise<Map<string, string>> {
  if (tableSelects !== undefined) return tableSelects;
  const { results } = await env.DB.prepare(
    `SELECT m.name AS name,
       (SELECT group_concat('"' || c.name || '"', ', ') FROM pragma_table_info(m.name) c) AS columns
     FROM sqlite_master m
     WHERE m.type = 'table' AND m.name <> 'd1_migrations'
       AND substr(m.name, 1, 4) <> '_cf_' AND substr(m.name, 1, 11) <> 'sqlite_stat'
       AND m.name <> '${WRITE_COUNTS}'
     ORDER BY m.name`,
  ).all<{ name: string; columns: string }>();
  const rowJson = (columns: string) =>
    `json_array(${columns
      .split(", ")
      .map((column) => `typeof(${column}), iif(typeof(${column}) = 'blob', hex(${column}), ${column})`)
      .join(", ")})`;
  tableSelects = new Map(
    results.map((row) => [
      row.name,
      `(SELECT json_group_array(${rowJson(row.columns)}) FROM (SELECT * FROM "${row.name}" ORDER BY ${row.columns}))`,
    ]),
  );
  return tableSelects;
}

/** Each table's rows as one text (all tables, or those named), in one query. */
export async function tableTexts(tables?: string[]): Promise<Map<string, string>> {
  const all = await selects();
  const names = tables ?? [...all.keys()];
  const row = await env.DB.prepare(`SELECT ${names.map((name) => all.get(name)).join(", ")}`).raw<string>();
  return new Map(names.map((name, index) => [name, row[0]![index]!]));
}

/** Every row of every table, in a stable order, as one string: equal dumps mean unchanged data. */
export async function dumpTables(): Promise<string> {
  return JSON.stringify([...(await tableTexts())]);
}

let counting: Promise<void> | undefined;

/**
 * Per table, how many row writes (insert, update, delete) have been committed to it since the first call.
 * Test-only triggers count them and roll back with the write, so a table whose count is unchanged is unchanged:
 * only tables whose count moved need to be read again (sqlite_sequence, which has no triggers, with any of them).
 */
export async function writeCounts(): Promise<Map<string, number>> {
  counting ??= (async () => {
    const tables = [...(await selects()).keys()].filter((table) => table !== "sqlite_sequence");
    await env.DB.batch([
      env.DB.prepare(`CREATE TABLE ${WRITE_COUNTS} (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID`),
      ...tables.map((table) => env.DB.prepare(`INSERT INTO ${WRITE_COUNTS} (name, n) VALUES (?1, 0)`).bind(table)),
      ...tables.flatMap((table) =>
        ["INSERT", "UPDATE", "DELETE"].map((event) =>
          env.DB.prepare(
            `CREATE TRIGGER "test_count_${event}_${table}" AFTER ${event} ON "${table}"
             BEGIN UPDATE ${WRITE_COUNTS} SET n = n + 1 WHERE name = '${table}'; END`,
          ),
        ),
      ),
    ]);
  })();
  await counting;
  const { results } = await env.DB.prepare(`SELECT name, n FROM ${WRITE_COUNTS}`).all<{ name: string; n: number }>();
  return new Map(results.map((row) => [row.name, row.n]));
}

/**
 * The tables a write touched since `counts` (writeCounts() then), sqlite_sequence with any of them, and the
 * counts now.
 */
export async function movedTables(counts: Map<string, number>): Promise<[string[], Map<string, number>]> {
  const now = await writeCounts();
  const moved = [...now].filter(([table, n]) => counts.get(table) !== n).map(([table]) => table);
  return [moved.length === 0 ? [] : [...moved, "sqlite_sequence"], now];
}

/**
 * A copy of every table kept in step by write counts: each `sync()` reads again only the tables written since the
 * last one, and returns them as dumps (before and after, for `violation`) of just those tables.
 */
export class TableWatch {
  private texts = new Map<string, string>();
  private counts = new Map<string, number>();

  async sync(): Promise<{ before: string; after: string }> {
    const [moved, counts] = await movedTables(this.counts);
    const texts = moved.length === 0 ? new Map<string, string>() : await tableTexts(moved);
    const before = JSON.stringify(moved.map((table) => [table, this.texts.get(table)]));
    for (const [table, text] of texts) this.texts.set(table, text);
    this.counts = counts;
    return { before, after: JSON.stringify([...texts]) };
  }
}

/** The tables whose rows differ between two dumps, for a readable failure. */
export function changedTables(before: string, after: string): string[] {
  const a = new Map(JSON.parse(before) as [string, unknown][]);
  const b = new Map(JSON.parse(after) as [string, unknown][]);
  return [...new Set([...a.keys(), ...b.keys()])].filter(
    (table) => JSON.stringify(a.get(table)) !== JSON.stringify(b.get(table)),
  );
}

export interface RawReply {
  status: number;
  text: string;
  body: unknown;
}

/** A request through the Worker's entry point with exactly these headers and body (nothing added). */
export async function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Uint8Array,
): Promise<RawReply> {
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, text, body: parsed };
}

/**
 * The invariants of a request whose dumps were taken right before and after it: never a 5xx,
 * a 4xx in authentik's shape that changed nothing. Returns the problem, or null.
 */
export function violation(method: string, reply: RawReply, before: string, after: string): string | null {
  if (reply.status >= 500) return `answered ${reply.status}: ${reply.text.slice(0, 300)}`;
  if (reply.status < 400) return null;
  if (method !== "HEAD" && !isAuthentikError(reply.body))
    return `${reply.status} body is not authentik-shaped: ${reply.text.slice(0, 300)}`;
  if (before !== after) {
    const changed = changedTables(before, after).join(", ");
    return `${reply.status} but tables changed: ${changed} (${reply.text.slice(0, 200)})`;
  }
  return null;
}
