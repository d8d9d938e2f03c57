import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { connectionLifetime, DurationError, formatDuration, MAX_DURATION_MS, parseDuration } from "../src/duration.ts";

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
    expect((error as DurationError).message).toBe(`${text.trim()} is not in the correct format of 'hours=3;minutes=1'.`);
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
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[a-zA-Z =;.\d+-eE]{0,40}$/)), (text) => {
        try {
          const ms = parseDuration(text);
          expect(Number.isFinite(ms)).toBe(true);
          expect(Math.abs(ms)).toBeLessThanOrEqual(MAX_DURATION_MS);
        } catch (error) {
          expect(error).toBeInstanceOf(DurationError);
        }
      }),
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
    expect(connectionLifetime(parseDuration("hours=8"))).toEqual({ kind: "expires", milliseconds: 8 * H });
    expect(connectionLifetime(parseDuration("hours=0"))).toEqual({ kind: "until_disconnect" });
    expect(connectionLifetime(parseDuration("minutes=-1"))).toEqual({ kind: "negative", milliseconds: -60_000 });
  });
});
