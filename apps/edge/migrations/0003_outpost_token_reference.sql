-- An outpost's gateway rights come from this reference to its own managed token, set when the
-- outpost is created, never from a token identifier (which API clients choose). A token deleted
-- by other means leaves the outpost without a working token (NULL): disabled, not impersonable.

ALTER TABLE outposts ADD COLUMN token_uuid TEXT REFERENCES tokens(uuid) ON DELETE SET NULL;
UPDATE outposts SET token_uuid = (
  SELECT t.uuid FROM tokens t
  WHERE t.identifier = outposts.token_identifier AND t.managed = 'goauthentik.io/outpost/' || outposts.token_identifier
);
CREATE UNIQUE INDEX outposts_token ON outposts(token_uuid);
