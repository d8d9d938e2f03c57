/**
 * What a repository reports when it cannot do what was asked: domain facts, no HTTP statuses or texts.
 * Thrown as `RepositoryOutcome`; src/http/outcomes.ts is the one table that turns them into DRF answers.
 */
export type Outcome =
  /** The row is gone (deleted, or expired, meanwhile). */
  | { kind: "notFound" }
  /** A unique column (`table.column`) already holds the value. */
  | { kind: "taken"; columns: string[] }
  /** A referenced row named in the request does not exist (the foreign key refused the write). */
  | { kind: "referenceGone"; field: string; id: unknown }
  /** A delete refused while other rows (their names) use the object. */
  | { kind: "inUse"; table: string; key: string; users: string[] }
  /** The endpoint already carries its `maximum_connections` (`callerHoldsOne`: one of them is the caller's). */
  | { kind: "limitReached"; callerHoldsOne?: boolean }
  /** The caller (their user row, with their key) was deleted while the request ran. */
  | { kind: "callerGone" }
  /** A list filter's value names no object or option (django-filter's choice filters); `value` when quoted. */
  | { kind: "unknownChoice"; parameter: string; value?: string }
  /** A list filter's value is not a UUID. */
  | { kind: "malformedUuid"; parameter: string };

export class RepositoryOutcome extends Error {
  readonly outcome: Outcome;
  constructor(outcome: Outcome) {
    super(outcome.kind);
    this.name = "RepositoryOutcome";
    this.outcome = outcome;
  }
}

export const outcome = (value: Outcome): RepositoryOutcome => new RepositoryOutcome(value);
export const isOutcome = (error: unknown): error is RepositoryOutcome => error instanceof RepositoryOutcome;
