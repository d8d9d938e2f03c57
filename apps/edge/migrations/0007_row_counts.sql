-- Counts that pagination needs, kept by triggers so a list's first page reads O(page size) rows
-- instead of count(*) over every matching row. Triggers also fire for rows that foreign keys
-- delete (ON DELETE CASCADE), so cascades keep the counts exact.
--
-- `field` '' with `value` '' is a table's total; otherwise the rows whose `field` equals `value`
-- (no column affinity: integer ids stay integers, uuids text). A keyed row disappears at zero, so
-- deleted providers, endpoints and users leave nothing behind.
--
-- Connection tokens expire without a write: their counters count every row, expired or not, and
-- the API subtracts the expired-but-unswept ones, read through the `expires` indexes below.
--
-- Trigger writes count in D1's `meta.changes`: no statement may read `changes` to learn whether
-- its own row was written (the launch and the token move read their row back instead).

CREATE TABLE row_counts (
  tbl TEXT NOT NULL,
  field TEXT NOT NULL,
  value NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (tbl, field, value)
) WITHOUT ROWID;

-- Totals.
INSERT INTO row_counts (tbl, field, value, n) SELECT 'flows', '', '', count(*) FROM flows;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'providers', '', '', count(*) FROM providers;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'users', '', '', count(*) FROM users;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'tokens', '', '', count(*) FROM tokens;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'applications', '', '', count(*) FROM applications;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'property_mappings', '', '', count(*) FROM property_mappings;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'endpoints', '', '', count(*) FROM endpoints;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'outposts', '', '', count(*) FROM outposts;
INSERT INTO row_counts (tbl, field, value, n) SELECT 'connection_tokens', '', '', count(*) FROM connection_tokens;

CREATE TRIGGER flows_count_insert AFTER INSERT ON flows BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'flows' AND field = '' AND value = '';
END;
CREATE TRIGGER flows_count_delete AFTER DELETE ON flows BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'flows' AND field = '' AND value = '';
END;

CREATE TRIGGER providers_count_insert AFTER INSERT ON providers BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'providers' AND field = '' AND value = '';
END;
CREATE TRIGGER providers_count_delete AFTER DELETE ON providers BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'providers' AND field = '' AND value = '';
END;

CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'users' AND field = '' AND value = '';
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'users' AND field = '' AND value = '';
END;

CREATE TRIGGER tokens_count_insert AFTER INSERT ON tokens BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'tokens' AND field = '' AND value = '';
END;
CREATE TRIGGER tokens_count_delete AFTER DELETE ON tokens BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'tokens' AND field = '' AND value = '';
END;

CREATE TRIGGER applications_count_insert AFTER INSERT ON applications BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'applications' AND field = '' AND value = '';
END;
CREATE TRIGGER applications_count_delete AFTER DELETE ON applications BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'applications' AND field = '' AND value = '';
END;

CREATE TRIGGER property_mappings_count_insert AFTER INSERT ON property_mappings BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'property_mappings' AND field = '' AND value = '';
END;
CREATE TRIGGER property_mappings_count_delete AFTER DELETE ON property_mappings BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'property_mappings' AND field = '' AND value = '';
END;

CREATE TRIGGER outposts_count_insert AFTER INSERT ON outposts BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'outposts' AND field = '' AND value = '';
END;
CREATE TRIGGER outposts_count_delete AFTER DELETE ON outposts BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'outposts' AND field = '' AND value = '';
END;

-- Endpoints: the total and by provider (the endpoint list's `provider` filter).
INSERT INTO row_counts (tbl, field, value, n)
SELECT 'endpoints', 'provider_id', provider_id, count(*) FROM endpoints GROUP BY provider_id;

CREATE TRIGGER endpoints_count_insert AFTER INSERT ON endpoints BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'endpoints' AND field = '' AND value = '';
  INSERT INTO row_counts (tbl, field, value, n) VALUES ('endpoints', 'provider_id', NEW.provider_id, 1)
    ON CONFLICT (tbl, field, value) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER endpoints_count_delete AFTER DELETE ON endpoints BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'endpoints' AND field = '' AND value = '';
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'endpoints' AND field = 'provider_id' AND value = OLD.provider_id;
  DELETE FROM row_counts WHERE tbl = 'endpoints' AND field = 'provider_id' AND value = OLD.provider_id AND n <= 0;
END;
CREATE TRIGGER endpoints_count_move AFTER UPDATE OF provider_id ON endpoints
WHEN NEW.provider_id IS NOT OLD.provider_id BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'endpoints' AND field = 'provider_id' AND value = OLD.provider_id;
  DELETE FROM row_counts WHERE tbl = 'endpoints' AND field = 'provider_id' AND value = OLD.provider_id AND n <= 0;
  INSERT INTO row_counts (tbl, field, value, n) VALUES ('endpoints', 'provider_id', NEW.provider_id, 1)
    ON CONFLICT (tbl, field, value) DO UPDATE SET n = n + 1;
END;

-- Connection tokens: the total and by provider, endpoint and user (the list's filters).
INSERT INTO row_counts (tbl, field, value, n)
SELECT 'connection_tokens', 'provider_id', provider_id, count(*) FROM connection_tokens GROUP BY provider_id;
INSERT INTO row_counts (tbl, field, value, n)
SELECT 'connection_tokens', 'endpoint_id', endpoint_id, count(*) FROM connection_tokens GROUP BY endpoint_id;
INSERT INTO row_counts (tbl, field, value, n)
SELECT 'connection_tokens', 'user_id', user_id, count(*) FROM connection_tokens GROUP BY user_id;

CREATE TRIGGER connection_tokens_count_insert AFTER INSERT ON connection_tokens BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'connection_tokens' AND field = '' AND value = '';
  INSERT INTO row_counts (tbl, field, value, n) VALUES
    ('connection_tokens', 'provider_id', NEW.provider_id, 1),
    ('connection_tokens', 'endpoint_id', NEW.endpoint_id, 1),
    ('connection_tokens', 'user_id', NEW.user_id, 1)
    ON CONFLICT (tbl, field, value) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER connection_tokens_count_delete AFTER DELETE ON connection_tokens BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'connection_tokens' AND field = '' AND value = '';
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'connection_tokens' AND (
    (field = 'provider_id' AND value = OLD.provider_id) OR (field = 'endpoint_id' AND value = OLD.endpoint_id)
    OR (field = 'user_id' AND value = OLD.user_id));
  DELETE FROM row_counts WHERE tbl = 'connection_tokens' AND n <= 0 AND (
    (field = 'provider_id' AND value = OLD.provider_id) OR (field = 'endpoint_id' AND value = OLD.endpoint_id)
    OR (field = 'user_id' AND value = OLD.user_id));
END;
CREATE TRIGGER connection_tokens_count_move_provider AFTER UPDATE OF provider_id ON connection_tokens
WHEN NEW.provider_id IS NOT OLD.provider_id BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'connection_tokens' AND field = 'provider_id' AND value = OLD.provider_id;
  DELETE FROM row_counts
    WHERE tbl = 'connection_tokens' AND field = 'provider_id' AND value = OLD.provider_id AND n <= 0;
  INSERT INTO row_counts (tbl, field, value, n) VALUES ('connection_tokens', 'provider_id', NEW.provider_id, 1)
    ON CONFLICT (tbl, field, value) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER connection_tokens_count_move_endpoint AFTER UPDATE OF endpoint_id ON connection_tokens
WHEN NEW.endpoint_id IS NOT OLD.endpoint_id BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'connection_tokens' AND field = 'endpoint_id' AND value = OLD.endpoint_id;
  DELETE FROM row_counts
    WHERE tbl = 'connection_tokens' AND field = 'endpoint_id' AND value = OLD.endpoint_id AND n <= 0;
  INSERT INTO row_counts (tbl, field, value, n) VALUES ('connection_tokens', 'endpoint_id', NEW.endpoint_id, 1)
    ON CONFLICT (tbl, field, value) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER connection_tokens_count_move_user AFTER UPDATE OF user_id ON connection_tokens
WHEN NEW.user_id IS NOT OLD.user_id BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'connection_tokens' AND field = 'user_id' AND value = OLD.user_id;
  DELETE FROM row_counts WHERE tbl = 'connection_tokens' AND field = 'user_id' AND value = OLD.user_id AND n <= 0;
  INSERT INTO row_counts (tbl, field, value, n) VALUES ('connection_tokens', 'user_id', NEW.user_id, 1)
    ON CONFLICT (tbl, field, value) DO UPDATE SET n = n + 1;
END;

-- A user's expired tokens, read in `expires` order (the live count of the `session__user` filter).
DROP INDEX connection_tokens_user;
CREATE INDEX connection_tokens_user ON connection_tokens(user_id, expires);

-- First pages in the lists' default orders, filtered or not, walk an index and stop after the page.
DROP INDEX endpoints_provider;
CREATE INDEX endpoints_provider ON endpoints(provider_id, name, protocol, uuid);
DROP INDEX endpoints_name;
CREATE INDEX endpoints_name ON endpoints(name, protocol, uuid);
CREATE INDEX applications_name ON applications(name, uuid);

-- The connection-token list by endpoint and by user, in its default order (as 0002 did for the
-- provider): the first page walks the index and stops after it instead of sorting every match.
CREATE INDEX connection_tokens_endpoint_order
  ON connection_tokens(endpoint_id, endpoint_name, provider_name, uuid, expires);
CREATE INDEX connection_tokens_user_order
  ON connection_tokens(user_id, endpoint_name, provider_name, uuid, expires);
