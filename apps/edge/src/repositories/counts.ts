import type { Condition } from "./lists.ts";

/** Tables with counter rows (migration 0007), and the columns counted by value. */
type CoreTable = "flows" | "providers" | "users" | "tokens" | "applications" | "property_mappings" | "outposts";
export type CountedTable = CoreTable | "endpoints" | "connection_tokens" | "events";
export type CountedField = "provider_id" | "endpoint_id" | "user_id";

/**
 * The number of rows of `table` (with `field` = `value`), as a scalar expression read from one
 * counter row: a list's count that reads one row whatever the table's size.
 */
export function counted(table: CountedTable, field?: CountedField, value?: string | number): Condition {
  return {
    sql: "coalesce((SELECT n FROM row_counts WHERE tbl = ? AND field = ? AND value = ?), 0)",
    params: [table, field ?? "", field === undefined ? "" : value],
  };
}
