// Runs the core's vitest files unchanged under Deno: the import map sends "vitest" here.
// `describe` only prefixes names, so every `it` is one flat Deno test (and one JUnit case).
import { test } from "node:test";
import { expect as jestExpect } from "expect";

type Body = (...args: any[]) => unknown;

const prefixes: string[] = [];
const register = (name: string, body: Body, _timeoutMs?: number) =>
  test([...prefixes, name].join(" > "), async () => {
    await body();
  });

const format = (name: string, args: readonly unknown[]) => {
  let index = 0;
  return name.replace(/%[sdj]/g, () => JSON.stringify(args[index++]));
};

export const describe = (name: string, body: () => void) => {
  prefixes.push(name);
  try {
    body();
  } finally {
    prefixes.pop();
  }
};

// Like vitest: a case that is an array is spread into the arguments, anything else is one argument.
const each = (cases: readonly unknown[]) => (name: string, body: Body) => {
  for (const item of cases) {
    const args = Array.isArray(item) ? item : [item];
    register(format(name, args), () => body(...args));
  }
};

export const it = Object.assign(register, { each });
/** vitest's expect takes a message as a second argument, which jest's refuses; the message is dropped. */
const expect = Object.assign((actual: unknown, _message?: string) => jestExpect(actual), jestExpect);

export { expect };
