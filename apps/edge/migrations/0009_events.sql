-- The audit trail (authentik's Event): one row per change, written in the same batch as the change,
-- so an event exists if and only if its change happened. No foreign keys: an event outlives the
-- user and the objects it names. `user` and `context` are JSON text; times are Unix milliseconds.
CREATE TABLE events (
  event_uuid TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  app TEXT NOT NULL,
  user TEXT NOT NULL DEFAULT '{}',
  -- Copied out of `user` for the `username` filter.
  username TEXT NOT NULL DEFAULT '',
  client_ip TEXT,
  context TEXT NOT NULL DEFAULT '{}',
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL
);
-- Two indexes only, as each one is a row written per event: the list's order and the sweep. Filters
-- walk the newest events through `events_created` and stop after a page.
CREATE INDEX events_created ON events(created);
CREATE INDEX events_expires ON events(expires);

-- The list's total from a counter row (migration 0007), not count(*) over 90 days of events.
INSERT INTO row_counts (tbl, field, value, n) SELECT 'events', '', '', count(*) FROM events;
CREATE TRIGGER events_count_insert AFTER INSERT ON events BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'events' AND field = '' AND value = '';
END;
CREATE TRIGGER events_count_delete AFTER DELETE ON events BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'events' AND field = '' AND value = '';
END;
