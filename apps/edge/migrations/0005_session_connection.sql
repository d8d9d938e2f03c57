-- The Worker's data plane (issue 12): one live browser socket per connection token.
-- session_id: the socket that holds the token now; a newer socket takes over by overwriting it, and
-- an older socket (in any isolate) notices at its next revocation check.
-- session_error: why the last session attempt was refused before the upgrade, for the page to show
-- (a browser cannot read the status of a refused WebSocket upgrade).
ALTER TABLE connection_tokens ADD COLUMN session_id TEXT;
ALTER TABLE connection_tokens ADD COLUMN session_error TEXT;
