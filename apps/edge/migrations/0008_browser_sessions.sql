-- Sign-in (issue 14): a user's password (Argon2id PHC string, or an imported Django pbkdf2_sha256 hash;
-- NULL: the user cannot sign in with a password) and the browser sessions, by the SHA-256 of their key.
ALTER TABLE users ADD COLUMN password TEXT;
ALTER TABLE users ADD COLUMN password_change_date INTEGER;

CREATE TABLE browser_sessions (
  key_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  -- The double-submit CSRF token of this session: the X-CSRFToken header must equal it.
  csrf TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id);
