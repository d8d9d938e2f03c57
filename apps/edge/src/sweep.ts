import { clock } from "./clock.ts";
import type { Env } from "./env.ts";
import { deleteExpiredConnectionTokens } from "./repositories/connections.ts";

/**
 * The Cron Trigger (every 5 minutes): deletes connection tokens whose expiry has passed
 * (`expires <= now`; tokens without a time limit stay). Lists and launches already ignore expired
 * tokens, so this only keeps the table small.
 */
export async function scheduled(_controller: ScheduledController, env: Env): Promise<void> {
  const removed = await deleteExpiredConnectionTokens(env.DB, clock.now());
  if (removed > 0) console.log(`swept ${removed} expired connection token(s)`);
}
