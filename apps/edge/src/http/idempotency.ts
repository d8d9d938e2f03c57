import { errors } from "@rac-edge/core";
import { clock } from "../clock.ts";
import { sha256Hex } from "../crypto.ts";
import { actAs, actorOf } from "../repositories/events.ts";
import { completeRecord, findRecord, isRecordConflict, recordStatements } from "../repositories/idempotency.ts";
import { joined } from "../repositories/joined.ts";
import { openAnswer, sealAnswer } from "../sealedAnswers.ts";
import { etagOf } from "./etag.ts";
import type { Context, Handler, WriteCondition } from "./router.ts";

const KEY = /^[\x21-\x7e]{1,255}$/;
const UNRECORDED =
  "The first request with this Idempotency-Key was applied, but its answer is not recorded yet " +
  "(it is still running, or it was interrupted): read the object instead of retrying.";

/**
 * A POST that honours `Idempotency-Key`: the caller's same key within 24 hours answers the first
 * answer again (before anything else is checked, the body included) without a second write; with
 * another request (method, path, body) it is 422. The record rides in the write's own batch
 * (`context.writing`), so no crash leaves a write without its record; the answer follows it.
 */
export function idempotent(handler: Handler): Handler {
  const wrapped = async (context: Context): Promise<Response> => {
    const key = context.request.headers.get("idempotency-key");
    if (key === null) return handler(context);
    if (!KEY.test(key)) throw errors.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.");
    const { request, url, caller } = context;
    const requestHash = await sha256Hex(`${request.method} ${url.pathname}\n${await request.clone().text()}`);
    const keyHash = await sha256Hex(`rac-edge Idempotency-Key\n${key}`);
    const now = clock.now();
    const replay = async (): Promise<Response | null> => {
      const record = await findRecord(context.db, caller.userId, keyHash, now);
      if (record === null) return null;
      if (record.requestHash !== requestHash) throw errors.idempotencyMismatch();
      if (record.body === "") throw errors.conflict(UNRECORDED);
      const text = await openAnswer(key, caller.userId, record.body);
      const headers = { "content-type": "application/json", etag: await etagOf(text), "idempotent-replayed": "true" };
      return new Response(text, { status: record.status, headers });
    };
    const replayed = await replay();
    if (replayed !== null) return replayed;
    const record = { userId: caller.userId, keyHash, requestHash, status: 201, now };
    const writing = (onlyIf?: WriteCondition) => {
      const db = joined(context.db, { afterFirst: recordStatements(context.db, record, onlyIf) });
      // The write's events name the request's actor, whichever binding carries the batch.
      actAs(db, actorOf(context.db));
      return db;
    };
    let response: Response;
    try {
      response = await handler({ ...context, writing });
    } catch (error) {
      // The same key, concurrently: the other request's record won the batch, ours wrote nothing.
      if (isRecordConflict(error)) return (await replay()) ?? Promise.reject(error);
      throw error;
    }
    if (response.status !== 201) return response;
    const text = await response.clone().text();
    await completeRecord(context.db, caller.userId, keyHash, await sealAnswer(key, caller.userId, text));
    return response;
  };
  return Object.assign(wrapped, { prefetch: handler.prefetch, head: handler.head });
}
