import { clock } from "./clock.ts";
import type { Env } from "./env.ts";
import { deleteExpiredConnectionTokens } from "./repositories/connectionTokens.ts";
import { deleteExpiredEvents } from "./repositories/events.ts";
import { deleteExpiredRecords } from "./repositories/idempotency.ts";
import { metered, serverTiming } from "./repositories/meter.ts";

/** Tokens one sweep statement removes at most, and statements one run makes at most. */
export const SWEEP_BATCH = 500;
export const SWEEP_STEPS = 20;

/** Overrides of SWEEP_BATCH and SWEEP_STEPS (tests). */
export interface SweepLimits {
  batch?: number;
  steps?: number;
}

/**
 * Deletes connection tokens whose expiry has passed (`expires <= now`; tokens without a time limit
 * stay), at most SWEEP_BATCH a statement and SWEEP_STEPS statements a run, so one run's cost is
 * bounded however many expired; the next run (the Cron Trigger, every 5 minutes) goes on. Lists and
 * launches already ignore expired tokens, so this only keeps the table, and the counts' correction, small.
 */
export async function sweepExpired(db: D1Database, now: number, limits: SweepLimits = {}): Promise<number> {
  const { batch = SWEEP_BATCH, steps = SWEEP_STEPS } = limits;
  let removed = 0;
  for (let step = 0; step < steps; step++) {
    const deleted = await deleteExpiredConnectionTokens(db, now, batch);
    removed += deleted;
    if (deleted < batch) break;
  }
  return removed;
}

/**
 * Deletes audit events past their `expires` (EVENTS_RETENTION_DAYS after they were written), with
 * the same bounds per run as the tokens' sweep; the next run goes on where this one stopped.
 */
export async function sweepExpiredEvents(db: D1Database, now: number, limits: SweepLimits = {}): Promise<number> {
  const { batch = SWEEP_BATCH, steps = SWEEP_STEPS } = limits;
  let removed = 0;
  for (let step = 0; step < steps; step++) {
    const deleted = await deleteExpiredEvents(db, now, batch);
    removed += deleted;
    if (deleted < batch) break;
  }
  return removed;
}

/** Expired Idempotency-Key records (older than 24 hours), bounded per run as the tokens are. */
export async function sweepIdempotencyKeys(db: D1Database, now: number, limits: SweepLimits = {}): Promise<number> {
  const { batch = SWEEP_BATCH, steps = SWEEP_STEPS } = limits;
  let removed = 0;
  for (let step = 0; step < steps; step++) {
    const deleted = await deleteExpiredRecords(db, now, batch);
    removed += deleted;
    if (deleted < batch) break;
  }
  return removed;
}

/** The Cron Trigger (every 5 minutes). */
export async function scheduled(_controller: ScheduledController, env: Env): Promise<void> {
  const { db, cost } = metered(env.DB);
  const now = clock.now();
  const removed = await sweepExpired(db, now);
  const events = await sweepExpiredEvents(db, now);
  const records = await sweepIdempotencyKeys(db, now);
  if (removed + events + records > 0) {
    const what = `${removed} expired connection token(s), ${events} expired event(s), ${records} idempotency record(s)`;
    console.log(`swept ${what}; ${serverTiming(cost)}`);
  }
}
