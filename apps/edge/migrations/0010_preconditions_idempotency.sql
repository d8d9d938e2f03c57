-- Preconditions and retries (issue 15).
--
-- `version`: every stored object's row version, bumped by triggers on every change of the row or of
-- its links (an UPDATE that changes no column, such as view_key's second call, leaves it), so a
-- conditional write (If-Match) can refuse to apply when the row changed since it was read. The API
-- compares the client's ETag with the representation read together with the version, then puts a
-- `preconditions` guard first in the write's batch: the batch fails whole (nothing
-- written) when the version moved meanwhile.

ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER users_version AFTER UPDATE ON users WHEN NEW.version = OLD.version AND (
  NEW."id" IS NOT OLD."id" OR NEW."uuid" IS NOT OLD."uuid" OR NEW."uid" IS NOT OLD."uid"
    OR NEW."username" IS NOT OLD."username" OR NEW."name" IS NOT OLD."name" OR NEW."email" IS NOT OLD."email"
    OR NEW."is_active" IS NOT OLD."is_active" OR NEW."is_superuser" IS NOT OLD."is_superuser"
    OR NEW."last_login" IS NOT OLD."last_login" OR NEW."attributes" IS NOT OLD."attributes"
    OR NEW."path" IS NOT OLD."path" OR NEW."type" IS NOT OLD."type"
) BEGIN
  UPDATE users SET version = OLD.version + 1 WHERE id = NEW.id;
END;

ALTER TABLE tokens ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER tokens_version AFTER UPDATE ON tokens WHEN NEW.version = OLD.version AND (
  NEW."uuid" IS NOT OLD."uuid" OR NEW."identifier" IS NOT OLD."identifier"
    OR NEW."user_id" IS NOT OLD."user_id" OR NEW."intent" IS NOT OLD."intent"
    OR NEW."description" IS NOT OLD."description" OR NEW."managed" IS NOT OLD."managed"
    OR NEW."expires" IS NOT OLD."expires" OR NEW."expiring" IS NOT OLD."expiring"
    OR NEW."key_hash" IS NOT OLD."key_hash" OR NEW."key_pending" IS NOT OLD."key_pending"
) BEGIN
  UPDATE tokens SET version = OLD.version + 1 WHERE identifier = NEW.identifier;
END;

ALTER TABLE flows ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER flows_version AFTER UPDATE ON flows WHEN NEW.version = OLD.version AND (
  NEW."uuid" IS NOT OLD."uuid" OR NEW."name" IS NOT OLD."name" OR NEW."slug" IS NOT OLD."slug"
    OR NEW."title" IS NOT OLD."title" OR NEW."designation" IS NOT OLD."designation"
) BEGIN
  UPDATE flows SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE providers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER providers_version AFTER UPDATE ON providers WHEN NEW.version = OLD.version AND (
  NEW."id" IS NOT OLD."id" OR NEW."name" IS NOT OLD."name"
    OR NEW."authorization_flow" IS NOT OLD."authorization_flow"
    OR NEW."authentication_flow" IS NOT OLD."authentication_flow" OR NEW."settings" IS NOT OLD."settings"
    OR NEW."connection_expiry" IS NOT OLD."connection_expiry"
    OR NEW."delete_token_on_disconnect" IS NOT OLD."delete_token_on_disconnect"
) BEGIN
  UPDATE providers SET version = OLD.version + 1 WHERE id = NEW.id;
END;

ALTER TABLE applications ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER applications_version AFTER UPDATE ON applications WHEN NEW.version = OLD.version AND (
  NEW."uuid" IS NOT OLD."uuid" OR NEW."name" IS NOT OLD."name" OR NEW."slug" IS NOT OLD."slug"
    OR NEW."provider_id" IS NOT OLD."provider_id" OR NEW."open_in_new_tab" IS NOT OLD."open_in_new_tab"
    OR NEW."meta_launch_url" IS NOT OLD."meta_launch_url"
    OR NEW."meta_description" IS NOT OLD."meta_description"
    OR NEW."meta_publisher" IS NOT OLD."meta_publisher"
    OR NEW."policy_engine_mode" IS NOT OLD."policy_engine_mode" OR NEW."group" IS NOT OLD."group"
) BEGIN
  UPDATE applications SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE property_mappings ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER property_mappings_version AFTER UPDATE ON property_mappings WHEN NEW.version = OLD.version AND (
  NEW."uuid" IS NOT OLD."uuid" OR NEW."name" IS NOT OLD."name" OR NEW."managed" IS NOT OLD."managed"
    OR NEW."expression" IS NOT OLD."expression" OR NEW."static_settings" IS NOT OLD."static_settings"
) BEGIN
  UPDATE property_mappings SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE endpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER endpoints_version AFTER UPDATE ON endpoints WHEN NEW.version = OLD.version AND (
  NEW."uuid" IS NOT OLD."uuid" OR NEW."name" IS NOT OLD."name" OR NEW."provider_id" IS NOT OLD."provider_id"
    OR NEW."protocol" IS NOT OLD."protocol" OR NEW."host" IS NOT OLD."host"
    OR NEW."settings" IS NOT OLD."settings" OR NEW."auth_mode" IS NOT OLD."auth_mode"
    OR NEW."maximum_connections" IS NOT OLD."maximum_connections"
) BEGIN
  UPDATE endpoints SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE connection_tokens ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER connection_tokens_version AFTER UPDATE ON connection_tokens WHEN NEW.version = OLD.version AND (
  NEW."uuid" IS NOT OLD."uuid" OR NEW."provider_id" IS NOT OLD."provider_id"
    OR NEW."endpoint_id" IS NOT OLD."endpoint_id" OR NEW."user_id" IS NOT OLD."user_id"
    OR NEW."token_hash" IS NOT OLD."token_hash" OR NEW."settings" IS NOT OLD."settings"
    OR NEW."created" IS NOT OLD."created" OR NEW."expires" IS NOT OLD."expires"
    OR NEW."connected_at" IS NOT OLD."connected_at" OR NEW."endpoint_name" IS NOT OLD."endpoint_name"
    OR NEW."provider_name" IS NOT OLD."provider_name" OR NEW."session_id" IS NOT OLD."session_id"
    OR NEW."session_error" IS NOT OLD."session_error"
) BEGIN
  UPDATE connection_tokens SET version = OLD.version + 1 WHERE uuid = NEW.uuid;
END;

ALTER TABLE outposts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER outposts_version AFTER UPDATE ON outposts WHEN NEW.version = OLD.version AND (
  NEW."uuid" IS NOT OLD."uuid" OR NEW."name" IS NOT OLD."name" OR NEW."type" IS NOT OLD."type"
    OR NEW."config" IS NOT OLD."config" OR NEW."token_identifier" IS NOT OLD."token_identifier"
    OR NEW."token_uuid" IS NOT OLD."token_uuid"
) BEGIN
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
