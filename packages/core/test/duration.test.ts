import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  connectionLifetime,
  DurationError,
  formatDuration,
  MAX_DURATION_MS,
  MIN_CONNECTION_MS,
  parseDuration,
} from "../src/duration.ts";

const H = 3_600_000;

describe("parseDuration", () => {
  it.each([
    ["hours=8", 8 * H],
    ["hours=1;minutes=2;seconds=3", 3_723_000],
    ["hours=-1;minutes=-2;seconds=-3", -3_723_000],
    ["hours=0", 0],
    ["seconds=0", 0],
    ["hours=1.5", 1.5 * H],
    ["HOURS=1", H],
    ["Hours=2;Minutes=30", 2.5 * H],
    ["days=1;weeks=1", 8 * 24 * H],
    ["milliseconds=500", 500],
    ["microseconds=1500", 1.5],
    ["hours= 1", H],
    ["hours=1 ", H],
    ["hours=1; minutes=30", 1.5 * H],
    [" hours = 1 ; minutes = 30 ", 1.5 * H],
    ["hours=1;hours=2", 2 * H],
    ["hours=1e3", 1000 * H],
    ["minute=5", 300_000],
    ["hour=1;second=1", H + 1000],
    ["hours=+2", 2 * H],
    ["hours=.5", 0.5 * H],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["", "no_pieces"],
    ["0", "not_key_value"],
    ["foo", "not_key_value"],
    ["hours=1;", "not_key_value"],
    ["hours=1=2", "not_key_value"],
    ["foo=bar", "unknown_key"],
    ["foo=bar;hours=1", "unknown_key"],
    ["=1", "unknown_key"],
    ["hours=abc", "not_a_number"],
    ["hours=", "not_a_number"],
    ["hours=1,5", "not_a_number"],
    ["hours=1_000", "not_a_number"],
    ["hours=0x10", "not_a_number"],
    ["hours=nan", "not_a_number"],
    ["hours=inf", "not_a_number"],
    ["hours=1e400", "not_a_number"],
    ["days=1000000000", "out_of_range"],
    ["weeks=-6000", "out_of_range"],
  ])("%s is refused (%s)", (text, problem) => {
    const error = (() => {
      try {
        parseDuration(text);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(DurationError);
    expect((error as DurationError).problem).toBe(problem);
    expect((error as DurationError).message).toBe(
      `${text.trim()} is not in the correct format of 'hours=3;minutes=1'.`,
    );
  });

  it("names the bad piece", () => {
    expect(() => parseDuration("hours=1;minutes=x")).toThrow(DurationError);
    try {
      parseDuration("hours=1; bogus=2 ");
    } catch (error) {
      expect((error as DurationError).piece).toBe("bogus=2");
    }
  });

  it("never throws anything but DurationError on arbitrary strings", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[a-zA-Z =;.\d+-eE]{0,40}$/)),
        (text) => {
          try {
            const ms = parseDuration(text);
            expect(Number.isFinite(ms)).toBe(true);
            expect(Math.abs(ms)).toBeLessThanOrEqual(MAX_DURATION_MS);
          } catch (error) {
            expect(error).toBeInstanceOf(DurationError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  }, 60_000);

  it("round-trips formatDuration for whole milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_DURATION_MS, max: MAX_DURATION_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  }, 60_000);
});

describe("formatDuration", () => {
  it.each([
    [0, "seconds=0"],
    [8 * H, "hours=8"],
    [5_400_000, "hours=1;minutes=30"],
    [-3_723_000, "hours=-1;minutes=-2;seconds=-3"],
    [90_061_001, "days=1;hours=1;minutes=1;seconds=1;milliseconds=1"],
    [1.5, "milliseconds=1;microseconds=500"],
  ])("%d ms is %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("connectionLifetime", () => {
  it("gives 0 and negative totals their own meaning", () => {
    expect(connectionLifetime("hours=8")).toEqual({ kind: "expires", milliseconds: 8 * H });
    expect(connectionLifetime("hours=0")).toEqual({ kind: "until_disconnect" });
    expect(connectionLifetime("minutes=-1")).toEqual({ kind: "negative", milliseconds: -60_000 });
  });

  it("reads only the literal zero as no time limit", () => {
    for (const zero of ["seconds=0", "hours=0;minutes=0", " seconds = 00 ", "minutes=0.0", "days=.0"]) {
      expect(connectionLifetime(zero), zero).toEqual({ kind: "until_disconnect" });
    }
  });

  it("rounds totals that round to zero or lie below one second up to one second", () => {
    const tiny = [
      "microseconds=0.4",
      "hours=1e-400",
      "seconds=-0",
      "seconds=+0",
      "seconds=0e5",
      "milliseconds=500",
      "hours=1;minutes=-60",
    ];
    for (const text of tiny)
      expect(connectionLifetime(text), text).toEqual({ kind: "expires", milliseconds: MIN_CONNECTION_MS });
    expect(connectionLifetime("milliseconds=1500")).toEqual({ kind: "expires", milliseconds: 1500 });
  });

  it("never answers no time limit for a duration that is not written as zero", () => {
    const piece = fc.tuple(
      fc.constantFrom("weeks", "days", "hours", "minutes", "seconds", "milliseconds", "microseconds"),
      fc.double({ noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 3 }), (pieces) => {
        const text = pieces.map(([unit, value]) => `${unit}=${value}`).join(";");
        let lifetime: ReturnType<typeof connectionLifetime>;
        try {
          lifetime = connectionLifetime(text);
        } catch {
          return; // out of range or not finite: refused
        }
        const literal = pieces.every(([, value]) => value === 0); // -0 prints as "0"
        expect(lifetime.kind === "until_disconnect", text).toBe(literal);
        if (lifetime.kind === "expires") expect(lifetime.milliseconds).toBeGreaterThanOrEqual(MIN_CONNECTION_MS);
      }),
    );
  });
});
