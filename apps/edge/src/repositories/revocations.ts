/** Statements that end a user's connections, for the batch of the change that ends their access. */

/** Revokes every connection token of a user (deactivated): one statement for the change's batch. */
export const revokeUserTokens = (db: D1Database, userId: number): D1PreparedStatement =>
  db.prepare("DELETE FROM connection_tokens WHERE user_id = ?1").bind(userId);

/**
 * Revokes the user's connection tokens to endpoints they may no longer launch (no view grant on the
 * endpoint, global or its own, and not a superuser): for the batch that removes a grant or a status.
 */
export const revokeUnlaunchable = (db: D1Database, userId: number): D1PreparedStatement =>
  db
    .prepare(
      `DELETE FROM connection_tokens WHERE user_id = ?1
         AND NOT EXISTS (SELECT 1 FROM users WHERE id = ?1 AND is_superuser = 1)
         AND NOT EXISTS (SELECT 1 FROM permissions g WHERE g.user_id = ?1 AND g.codename = ?2
           AND (g.object_pk = '' OR g.object_pk = connection_tokens.endpoint_id))`,
    )
    .bind(userId, "authentik_providers_rac.view_endpoint");
