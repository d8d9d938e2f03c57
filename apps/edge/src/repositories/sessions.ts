/**
 * D1's Sessions API for read-your-writes across regions: reads after a bookmark see at least that
 * state even on a read replica. Authentication, permission checks and the reads that ride in the
 * authentication's batch always use the primary (`first-primary`), so a revoked token or grant never
 * outlives its revocation; so does a request without a (well-formed) bookmark, which keeps rac-edge's
 * default strongly consistent.
 */

/** D1's bookmark: four hex groups (`00000000-00000009-00000000-000…`); anything else is ignored. */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

type Session = D1Database & { getBookmark(): string | null };

export interface D1Sessions {
  /** Authentication, permissions and prefetched reads. */
  primary: D1Database;
  /** The handler's own reads and writes: the bookmark's session, or the primary. */
  reads: D1Database;
  /** The latest bookmark seen (never older than the one given), for the answer. */
  bookmark(): string | null;
}

/** The sessions of one request, after the client's `sent` bookmark (any text; malformed ones are ignored). */
export function d1Sessions(db: D1Database, sent: string): D1Sessions {
  const normalized = sent.trim().toLowerCase();
  const given = BOOKMARK.test(normalized) ? normalized : null;
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
