/** D1's own figures for one request through the Worker, read from its Server-Timing header. */
import { exports } from "cloudflare:workers";
import { ADMIN, BASE } from "./helpers.ts";

export interface D1Figures {
  status: number;
  rowsRead: number;
  rowsWritten: number;
  batches: number;
}

/** D1's figures for one request, read from its Server-Timing header. */
export async function d1Cost(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<D1Figures> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? ADMIN}` };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const response = await exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
  await response.arrayBuffer();
  const timing = response.headers.get("server-timing") ?? "";
  const match = /^d1;dur=[\d.]+;desc="rows_read=(\d+) rows_written=(\d+) batches=(\d+)"$/.exec(timing);
  if (match === null) throw new Error(`${method} ${path}: no D1 Server-Timing in "${timing}"`);
  return {
    status: response.status,
    rowsRead: Number(match[1]),
    rowsWritten: Number(match[2]),
    batches: Number(match[3]),
  };
}
