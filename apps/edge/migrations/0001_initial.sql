-- rac-edge schema. Times are Unix milliseconds; JSON columns hold JSON text.
-- Foreign keys carry authentik's delete behaviour (reference 1.7), except that a flow in use as
-- authorization_flow cannot be deleted (RESTRICT; the API answers 400 first).

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid TEXT NOT NULL UNIQUE,
  uid TEXT NOT NULL,
  username TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  is_active INTEGER NOT NULL DEFAULT 1,
  is_superuser INTEGER NOT NULL DEFAULT 0,
  last_login INTEGER,
  attributes TEXT NOT NULL DEFAULT '{}',
  path TEXT NOT NULL DEFAULT 'users',
  type TEXT NOT NULL DEFAULT 'internal'
);

CREATE TABLE tokens (
  uuid TEXT NOT NULL UNIQUE,
  identifier TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  intent TEXT NOT NULL DEFAULT 'api',
  description TEXT NOT NULL DEFAULT '',
  managed TEXT UNIQUE,
  expires INTEGER,
  expiring INTEGER NOT NULL DEFAULT 1,
  -- SHA-256 of the key, hex; the plain key is never stored.
  key_hash TEXT NOT NULL UNIQUE,
  -- The plain key, kept only until view_key has shown it once.
  key_pending TEXT
);
CREATE INDEX tokens_user ON tokens(user_id);

CREATE TABLE flows (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  designation TEXT NOT NULL
);

CREATE TABLE providers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  authorization_flow TEXT NOT NULL REFERENCES flows(uuid) ON DELETE RESTRICT,
  authentication_flow TEXT REFERENCES flows(uuid) ON DELETE SET NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  connection_expiry TEXT NOT NULL DEFAULT 'hours=8',
  delete_token_on_disconnect INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX providers_name_nocase ON providers(name COLLATE NOCASE);
CREATE INDEX providers_authorization_flow ON providers(authorization_flow);
CREATE INDEX providers_authentication_flow ON providers(authentication_flow);

CREATE TABLE applications (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  provider_id INTEGER UNIQUE REFERENCES providers(id) ON DELETE SET NULL,
  open_in_new_tab INTEGER NOT NULL DEFAULT 0,
  meta_launch_url TEXT NOT NULL DEFAULT '',
  meta_description TEXT NOT NULL DEFAULT '',
  meta_publisher TEXT NOT NULL DEFAULT '',
  policy_engine_mode TEXT NOT NULL DEFAULT 'any',
  "group" TEXT NOT NULL DEFAULT ''
);

CREATE TABLE property_mappings (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  managed TEXT UNIQUE,
  expression TEXT NOT NULL DEFAULT '',
  static_settings TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE provider_property_mappings (
  provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
  mapping_id TEXT NOT NULL REFERENCES property_mappings(uuid) ON DELETE CASCADE,
  PRIMARY KEY (provider_id, mapping_id)
);
CREATE INDEX provider_property_mappings_mapping ON provider_property_mappings(mapping_id);

CREATE TABLE endpoints (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
  protocol TEXT NOT NULL,
  host TEXT NOT NULL,
  settings TEXT NOT NULL DEFAULT '{}',
  auth_mode TEXT NOT NULL,
  maximum_connections INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX endpoints_provider ON endpoints(provider_id);
CREATE INDEX endpoints_name ON endpoints(name, protocol);

CREATE TABLE endpoint_property_mappings (
  endpoint_id TEXT NOT NULL REFERENCES endpoints(uuid) ON DELETE CASCADE,
  mapping_id TEXT NOT NULL REFERENCES property_mappings(uuid) ON DELETE CASCADE,
  PRIMARY KEY (endpoint_id, mapping_id)
);
CREATE INDEX endpoint_property_mappings_mapping ON endpoint_property_mappings(mapping_id);

CREATE TABLE connection_tokens (
  uuid TEXT PRIMARY KEY,
  provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
  endpoint_id TEXT NOT NULL REFERENCES endpoints(uuid) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  -- SHA-256 of the secret handed out at launch, hex.
  token_hash TEXT NOT NULL UNIQUE,
  -- Prompt-mode settings given at launch, merged last at connect; never returned.
  settings TEXT NOT NULL DEFAULT '{}',
  created INTEGER NOT NULL,
  -- NULL: no time limit (connection_expiry of 0); the token lives until disconnect or revocation.
  expires INTEGER,
  connected_at INTEGER
);
CREATE INDEX connection_tokens_endpoint ON connection_tokens(endpoint_id, expires);
CREATE INDEX connection_tokens_provider ON connection_tokens(provider_id);
CREATE INDEX connection_tokens_user ON connection_tokens(user_id);
CREATE INDEX connection_tokens_expires ON connection_tokens(expires);

CREATE TABLE outposts (
  uuid TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL DEFAULT 'rac',
  config TEXT NOT NULL DEFAULT '{}',
  token_identifier TEXT NOT NULL UNIQUE
);

CREATE TABLE outpost_providers (
  outpost_id TEXT NOT NULL REFERENCES outposts(uuid) ON DELETE CASCADE,
  provider_id INTEGER NOT NULL REFERENCES providers(id) ON DELETE CASCADE,
  PRIMARY KEY (outpost_id, provider_id)
);
CREATE INDEX outpost_providers_provider ON outpost_providers(provider_id);

-- Permissions by authentik codename; object_pk '' is a global grant.
CREATE TABLE permissions (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  codename TEXT NOT NULL,
  object_pk TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (user_id, codename, object_pk)
);
CREATE INDEX permissions_object ON permissions(codename, object_pk);
