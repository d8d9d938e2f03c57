/**
 * The `connection_expiry` format: `key=value` pieces joined by `;`, e.g. `hours=1;minutes=30`.
 * Stricter than authentik (which silently drops unknown or padded keys): every piece must be a
 * known unit with a finite decimal value, whitespace around pieces, keys and values is ignored.
 */

const UNIT_MS: Record<string, number> = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
  milliseconds: 1,
  microseconds: 0.001,
};
const SINGULAR: Record<string, string> = Object.fromEntries(
  Object.keys(UNIT_MS).map((unit) => [unit.slice(0, -1), unit]),
);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** Totals beyond 100 years either way are refused: they are mistakes, and overflow dates. */
export const MAX_DURATION_MS = 100 * 365.25 * UNIT_MS.days!;

export type DurationProblem = "no_pieces" | "not_key_value" | "unknown_key" | "not_a_number" | "out_of_range";

/** The only error parseDuration throws. `message` is authentik's validation text. */
export class DurationError extends Error {
  readonly input: string;
  readonly piece: string;
  readonly problem: DurationProblem;
  constructor(input: string, piece: string, problem: DurationProblem) {
    super(`${input} is not in the correct format of 'hours=3;minutes=1'.`);
    this.name = "DurationError";
    this.input = input;
    this.piece = piece;
    this.problem = problem;
  }
}

/** Parses a duration into milliseconds (microsecond precision). Throws only DurationError. */
export function parseDuration(text: string): number {
  const input = String(text).trim();
  if (input === "") throw new DurationError(input, "", "no_pieces");
  const values = new Map<string, number>();
  for (const rawPiece of input.split(";")) {
    const piece = rawPiece.trim();
    const parts = piece.split("=");
    if (parts.length !== 2) throw new DurationError(input, piece, "not_key_value");
    const key = parts[0]!.trim().toLowerCase();
    const unit = key in UNIT_MS ? key : SINGULAR[key];
    if (unit === undefined) throw new DurationError(input, piece, "unknown_key");
    const valueText = parts[1]!.trim();
    const value = NUMBER.test(valueText) ? Number(valueText) : Number.NaN;
    if (!Number.isFinite(value)) throw new DurationError(input, piece, "not_a_number");
    values.set(unit, value); // a repeated key: the last one wins
  }
  let total = 0;
  for (const [unit, value] of values) total += value * UNIT_MS[unit]!;
  if (!(Math.abs(total) <= MAX_DURATION_MS)) throw new DurationError(input, input, "out_of_range");
  const rounded = Math.round(total * 1000) / 1000;
  return rounded === 0 ? 0 : rounded; // no -0
}

const CANONICAL: [string, number][] = [
  ["days", UNIT_MS.days!],
  ["hours", UNIT_MS.hours!],
  ["minutes", UNIT_MS.minutes!],
  ["seconds", UNIT_MS.seconds!],
  ["milliseconds", 1],
];

/** Canonical text for a number of milliseconds: largest units first, all with the total's sign. */
export function formatDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) throw new RangeError("duration must be finite");
  const sign = milliseconds < 0 ? "-" : "";
  let micros = Math.round(Math.abs(milliseconds) * 1000);
  const pieces: string[] = [];
  for (const [unit, size] of CANONICAL) {
    const count = Math.floor(micros / (size * 1000));
    micros -= count * size * 1000;
    if (count > 0) pieces.push(`${unit}=${sign}${count}`);
  }
  if (micros > 0) pieces.push(`microseconds=${sign}${micros}`);
  return pieces.length === 0 ? "seconds=0" : pieces.join(";");
}

/** An unsigned zero written without an exponent (`0`, `00`, `0.0`, `.0`): the one way to say "no time limit". */
const LITERAL_ZERO = /^(0+\.?0*|\.0+)$/;

/** Whether every piece of a valid duration is written as a literal, unsigned zero (`seconds=0;hours=0`). */
export function isLiteralZeroDuration(text: string): boolean {
  return String(text)
    .trim()
    .split(";")
    .every((piece) => LITERAL_ZERO.test(piece.split("=")[1]?.trim() ?? ""));
}

/**
 * What a provider's `connection_expiry` means for a launch. Only the literal zero duration
 * (`seconds=0`) is "no time limit" (the help text's promise). A total that is not negative but
 * below one second (`microseconds=0.4`, `hours=1e-400`, `seconds=-0`) rounds up to one second, so no
 * spelling of a tiny duration turns into an unlimited connection. A negative total cannot be
 * launched. Throws DurationError for text parseDuration refuses.
 */
export type ConnectionLifetime =
  | { kind: "expires"; milliseconds: number }
  | { kind: "until_disconnect" }
  | { kind: "negative"; milliseconds: number };

/** The shortest time limit a connection gets: sub-second durations round up to it. */
export const MIN_CONNECTION_MS = 1000;

export function connectionLifetime(expiry: string): ConnectionLifetime {
  const milliseconds = parseDuration(expiry);
  if (isLiteralZeroDuration(expiry)) return { kind: "until_disconnect" };
  if (milliseconds < 0) return { kind: "negative", milliseconds };
  return { kind: "expires", milliseconds: Math.max(milliseconds, MIN_CONNECTION_MS) };
}

/**
 * A launched connection token's expiry (Unix ms) from its provider's `connection_expiry`: now plus
 * the lifetime (at least a second), null for the literal zero. Refused (a text saying why, for a 400)
 * when the duration is invalid or negative: every connection would expire before it starts.
 */
export function launchExpiry(
  provider: { name: string; connection_expiry: string },
  now: number,
): { expires: number | null } | { refused: string } {
  let lifetime: ConnectionLifetime;
  try {
    lifetime = connectionLifetime(provider.connection_expiry);
  } catch {
    return {
      refused:
        `Connections cannot be launched: the connection_expiry "${provider.connection_expiry}" ` +
        `of provider "${provider.name}" is not a valid duration.`,
    };
  }
  if (lifetime.kind === "negative") {
    return {
      refused:
        `Connections cannot be launched: provider "${provider.name}" has a negative connection_expiry ` +
        `("${provider.connection_expiry}"), so every connection would expire before it starts. ` +
        "Set a positive duration, or 0 for no time limit.",
    };
  }
  return { expires: lifetime.kind === "expires" ? now + lifetime.milliseconds : null };
}
