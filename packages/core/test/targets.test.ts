import { describe, expect, it } from "vitest";
import { parseIp, parseTargets, type TargetRule, targetAllowed } from "../src/targets.ts";

const rules = (text: string): TargetRule[] => {
  const list = parseTargets(text);
  if (!list.ok) throw new Error(`invalid: ${list.invalid}`);
  return list.rules;
};

describe("parseTargets", () => {
  it("unset or blank allows any target", () => {
    for (const text of [undefined, "", "  "]) {
      const list = parseTargets(text);
      expect(list.ok && targetAllowed(list.rules, "203.0.113.9", 5900)).toBe(true);
    }
  });

  it.each(["host:", "10.0.0.0/33", "::/129", "a b", "host:99999", "1.2.3.4/x", "[::1", "10.0.0.256/8"])(
    "refuses %j",
    (entry) => {
      expect(parseTargets(`desk.example.com, ${entry}`)).toEqual({ ok: false, invalid: entry });
    },
  );

  it("skips empty entries between commas", () => {
    expect(rules("desk,,").length).toBe(1);
  });
});

describe("targetAllowed", () => {
  it.each([
    ["*", "anything.example", 1, true],
    ["desk.example.com", "DESK.example.com.", 5900, true],
    ["desk.example.com", "other.example.com", 5900, false],
    ["desk.example.com:5901", "desk.example.com", 5901, true],
    ["desk.example.com:5901", "desk.example.com", 5900, false],
    ["10.0.0.0/8", "10.200.3.4", 5900, true],
    ["10.0.0.0/8", "11.0.0.1", 5900, false],
    ["10.0.0.0/8", "ten.example", 5900, false],
    ["127.0.0.1", "127.0.0.1", 5931, true],
    ["127.0.0.1:5931", "127.0.0.1", 5932, false],
    ["0.0.0.0/0", "192.0.2.1", 1, true],
    ["0.0.0.0/0", "::1", 1, false],
    ["fd00::/8", "fd12:3456::1", 22, true],
    ["fd00::/8", "fe80::1", 22, false],
    ["::1", "0:0:0:0:0:0:0:1", 5900, true],
    ["[::1]:5900", "::1", 5900, true],
    ["[::1]:5900", "::1", 5901, false],
    ["::ffff:10.0.0.0/104", "::ffff:10.1.2.3", 1, true],
    ["localhost, 10.0.0.0/8", "localhost", 5900, true],
  ] as const)("%s allows %s:%d: %s", (list, hostname, port, expected) => {
    expect(targetAllowed(rules(list), hostname, port)).toBe(expected);
  });
});

describe("parseIp", () => {
  it.each([
    ["1.2.3.4", { version: 4, value: 0x01020304n }],
    ["::", { version: 6, value: 0n }],
    ["[::2]", { version: 6, value: 2n }],
    ["1::", { version: 6, value: 1n << 112n }],
  ] as const)("%s", (text, expected) => {
    expect(parseIp(text)).toEqual(expected);
  });

  it.each(["1.2.3", "1:2:3:4:5:6:7:8:9", "1::2::3", "g::1", "example.com", "1.2.3.4.5"])("refuses %s", (text) => {
    expect(parseIp(text)).toBeNull();
  });
});
