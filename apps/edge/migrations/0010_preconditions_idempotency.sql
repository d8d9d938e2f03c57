-- Preconditions and retries (issue 15).
--
-- `version`: every stored object's row version, bumped by triggers on every change of the row or of
-- its links, so a conditional write (If-Match) can refuse to apply when the row changed since it was
-- read. The API compares the client's ETag with the representation read together with the version,
-- then puts a `preconditions` guard first in the write's batch: the batch fails whole (nothing
-- written) when the version moved meanwhile.

ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER users_version AFTER UPDATE ON users WHEN NEW.version = OLD.version BEGIN
  UPDATE users SET version = OLD.version + 1 WHERE id = NEW.id;
END;

ALTER TABLE tokens ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER tokens_version AFTER UPDATE ON tokens WHEN NEW.version = OLD.version BEGIN
  UPDATE tokens SET version = OLD.version + 1 WHERE identifier = NEW.identifier;
END;

ALTER TABLE flows ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER flows_version AFTER UPDATE ON flows WHEN NEW.version = OLD.version BEGIN
  UPDATE flows SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE providers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER providers_version AFTER UPDATE ON providers WHEN NEW.version = OLD.version BEGIN
  UPDATE providers SET version = OLD.version + 1 WHERE id = NEW.id;
END;

ALTER TABLE applications ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER applications_version AFTER UPDATE ON applications WHEN NEW.version = OLD.version BEGIN
  UPDATE applications SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE property_mappings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER property_mappings_version AFTER UPDATE ON property_mappings WHEN NEW.version = OLD.version BEGIN
  UPDATE property_mappings SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE endpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER endpoints_version AFTER UPDATE ON endpoints WHEN NEW.version = OLD.version BEGIN
  UPDATE endpoints SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE connection_tokens ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER connection_tokens_version AFTER UPDATE ON connection_tokens WHEN NEW.version = OLD.version BEGIN
  UPDATE connection_tokens SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE outposts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER outposts_version AFTER UPDATE ON outposts WHEN NEW.version = OLD.version BEGIN
  UPDATE outposts SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

CREATE TRIGGER provider_property_mappings_version_insert AFTER INSERT ON provider_property_mappings BEGIN
  UPDATE providers SET version = version + 1 WHERE id = NEW.provider_id;
END;
CREATE TRIGGER provider_property_mappings_version_delete AFTER DELETE ON provider_property_mappings BEGIN
  UPDATE providers SET version = version + 1 WHERE id = OLD.provider_id;
END;

CREATE TRIGGER endpoint_property_mappings_version_insert AFTER INSERT ON endpoint_property_mappings BEGIN
  UPDATE endpoints SET version = version + 1 WHERE uuid = NEW.endpoint_id;
END;
CREATE TRIGGER endpoint_property_mappings_version_delete AFTER DELETE ON endpoint_property_mappings BEGIN
  UPDATE endpoints SET version = version + 1 WHERE uuid = OLD.endpoint_id;
END;

CREATE TRIGGER outpost_providers_version_insert AFTER INSERT ON outpost_providers BEGIN
  UPDATE outposts SET version = version + 1 WHERE uuid = NEW.outpost_id;
END;
CREATE TRIGGER outpost_providers_version_delete AFTER DELETE ON outpost_providers BEGIN
  UPDATE outposts SET version = version + 1 WHERE uuid = OLD.outpost_id;
END;

-- The guard: inserting a row whose versions differ aborts the statement (and so its batch); equal
-- versions insert nothing (RAISE(IGNORE)), so the table stays empty and a guard costs no write.
CREATE TABLE preconditions (
  expected INTEGER,
  actual INTEGER
);
CREATE TRIGGER preconditions_check BEFORE INSERT ON preconditions BEGIN
  SELECT CASE WHEN NEW.expected IS NOT NEW.actual THEN RAISE(ABORT, 'rac-edge: precondition failed')
    ELSE RAISE(IGNORE) END;
END;

-- Idempotency-Key records: one per caller (the user) and key, with a hash of the request (method,
-- path, body) and the answer to replay. Secrets in the answer are sealed with a key derived from
-- the Idempotency-Key itself (AES-GCM, HKDF), which the server never stores.
CREATE TABLE idempotency_keys (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key_hash TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  expires INTEGER NOT NULL,
  PRIMARY KEY (user_id, key_hash)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires);
