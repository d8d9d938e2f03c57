import { describe, expect, it } from "vitest";
import { parseHost } from "../src/host.ts";

describe("parseHost", () => {
  it.each([
    ["myhost", { hostname: "myhost", port: null }],
    ["10.0.0.1:3389", { hostname: "10.0.0.1", port: 3389 }],
    ["x:1324", { hostname: "x", port: 1324 }],
    ["rdp.example.com:3389", { hostname: "rdp.example.com", port: 3389 }],
    ["[2001:db8::1]:3389", { hostname: "2001:db8::1", port: 3389 }],
    ["[::1]", { hostname: "::1", port: null }],
    ["  host:22  ", { hostname: "host", port: 22 }],
  ])("%s", (text, expected) => {
    expect(parseHost(text)).toEqual(expected);
  });

  it.each([
    "",
    "host:",
    "host:0",
    "host:65536",
    "host:ab",
    "2001:db8::1",
    "[2001:db8::1",
    "[nothex]:22",
    "a b",
    "host:22:33",
    "-bad",
    "[::1]:",
  ])("refuses %j", (text) => {
    expect(parseHost(text)).toBeNull();
  });
});
