-- The connection-token list's default order (endpoint name, provider name, pk) comes from an index
-- walk instead of a sort of every matching row: each token keeps copies of its endpoint's and its
-- provider's names, which these triggers keep equal to the originals.

ALTER TABLE connection_tokens ADD COLUMN endpoint_name TEXT NOT NULL DEFAULT '';
ALTER TABLE connection_tokens ADD COLUMN provider_name TEXT NOT NULL DEFAULT '';
UPDATE connection_tokens SET
  endpoint_name = (SELECT name FROM endpoints WHERE uuid = connection_tokens.endpoint_id),
  provider_name = (SELECT name FROM providers WHERE id = connection_tokens.provider_id);

-- The API's own writes set both names; these two only repair a row written without them (a
-- trigger's own writes would count in D1's `changes`, which the launch and move statements read).
CREATE TRIGGER connection_tokens_names_insert AFTER INSERT ON connection_tokens
WHEN NEW.endpoint_name IS NOT (SELECT name FROM endpoints WHERE uuid = NEW.endpoint_id)
  OR NEW.provider_name IS NOT (SELECT name FROM providers WHERE id = NEW.provider_id) BEGIN
  UPDATE connection_tokens SET
    endpoint_name = (SELECT name FROM endpoints WHERE uuid = NEW.endpoint_id),
    provider_name = (SELECT name FROM providers WHERE id = NEW.provider_id)
  WHERE uuid = NEW.uuid;
END;

CREATE TRIGGER connection_tokens_names_move AFTER UPDATE OF endpoint_id, provider_id ON connection_tokens
WHEN NEW.endpoint_name IS NOT (SELECT name FROM endpoints WHERE uuid = NEW.endpoint_id)
  OR NEW.provider_name IS NOT (SELECT name FROM providers WHERE id = NEW.provider_id) BEGIN
  UPDATE connection_tokens SET
    endpoint_name = (SELECT name FROM endpoints WHERE uuid = NEW.endpoint_id),
    provider_name = (SELECT name FROM providers WHERE id = NEW.provider_id)
  WHERE uuid = NEW.uuid;
END;

CREATE TRIGGER endpoints_rename_tokens AFTER UPDATE OF name ON endpoints WHEN NEW.name IS NOT OLD.name BEGIN
  UPDATE connection_tokens SET endpoint_name = NEW.name WHERE endpoint_id = NEW.uuid;
END;

CREATE TRIGGER providers_rename_tokens AFTER UPDATE OF name ON providers WHEN NEW.name IS NOT OLD.name BEGIN
  UPDATE connection_tokens SET provider_name = NEW.name WHERE provider_id = NEW.id;
END;

-- All tokens, and a provider's (the `provider` filter), in list order; `expires` makes them
-- covering for the live-token condition, so a page's keys never read the table. The count of a
-- provider's live tokens reads the narrowest covering index instead.
-- Lists by endpoint or by user keep their narrower indexes and sort only the tokens that match.
DROP INDEX connection_tokens_provider;
CREATE INDEX connection_tokens_provider ON connection_tokens(provider_id, expires);
CREATE INDEX connection_tokens_provider_order
  ON connection_tokens(provider_id, endpoint_name, provider_name, uuid, expires);
CREATE INDEX connection_tokens_order ON connection_tokens(endpoint_name, provider_name, uuid, expires);
