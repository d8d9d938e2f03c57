/**
 * D1's Sessions API for read-your-writes across regions. A client sends back the `x-d1-bookmark`
 * of its last answer; this request's reads then see at least that state even on a read replica.
 * Authentication, permission checks and the reads that ride in the authentication's batch always
 * use the primary (`first-primary`), so a revoked token or grant never outlives its revocation; so
 * does a request without a (well-formed) bookmark, which keeps rac-edge's default strongly consistent.
 */

export const BOOKMARK_HEADER = "x-d1-bookmark";

/** D1's bookmark: four hex groups (`00000000-00000009-00000000-000…`); anything else is ignored. */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

type Session = D1Database & { getBookmark(): string | null };

export interface RequestSessions {
  /** Authentication, permissions and prefetched reads. */
  primary: D1Database;
  /** The handler's own reads and writes: the client's bookmark's session, or the primary. */
  reads: D1Database;
  /** The latest bookmark this request saw (never older than the one it was sent), for the answer. */
  bookmark(): string | null;
}

export function requestSessions(db: D1Database, request: Request): RequestSessions {
  const sent = request.headers.get(BOOKMARK_HEADER)?.trim().toLowerCase() ?? "";
  const given = BOOKMARK.test(sent) ? sent : null;
  const primary = db.withSession("first-primary") as unknown as Session;
  const reads = given === null ? primary : (db.withSession(given) as unknown as Session);
  // Bookmarks sort in commit order (fixed-width hex), so the greatest is the latest.
  const bookmark = () =>
    [given, primary.getBookmark(), reads.getBookmark()].reduce<string | null>(
      (latest, next) => (next !== null && (latest === null || next > latest) ? next : latest),
      null,
    );
  return { primary, reads, bookmark };
}
