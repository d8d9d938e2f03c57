/** Strong entity tags of answers, and RFC 9110's comparisons of If-Match / If-None-Match against them. */

const encoder = new TextEncoder();

/** A strong ETag of the bytes of a representation: a SHA-256 of the body as this caller receives it. */
export async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(body)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `"${btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}"`;
}

/** The entity tags a header lists (`*` stays `*`); weak tags keep their `W/` so strong comparison refuses them. */
function listed(header: string): string[] {
  return header.match(/(?:W\/)?"[^"]*"|\*/g) ?? [];
}

/** If-Match: strong comparison; `*` matches any current representation. */
export const ifMatchHolds = (header: string, etag: string): boolean =>
  listed(header).some((tag) => tag === "*" || tag === etag);

/** If-None-Match: weak comparison (a `W/` prefix is ignored); true when the client's copy is current. */
export const ifNoneMatchHits = (header: string, etag: string): boolean =>
  listed(header).some((tag) => tag === "*" || tag.replace(/^W\//, "") === etag);

/**
 * A 200 JSON answer with its ETag, or a 304 without a body when the client's If-None-Match names it.
 * `request` null: the answer of a write, tagged so the client can send its next If-Match without a read.
 */
export async function taggedJson(request: Request | null, body: unknown, status = 200): Promise<Response> {
  const text = JSON.stringify(body);
  const etag = await etagOf(text);
  const ifNoneMatch = request?.headers.get("if-none-match") ?? null;
  if (ifNoneMatch !== null && ifNoneMatchHits(ifNoneMatch, etag)) {
    return new Response(null, { status: 304, headers: { etag } });
  }
  return new Response(text, { status, headers: { "content-type": "application/json", etag } });
}
