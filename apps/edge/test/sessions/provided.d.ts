// What test/sessions/fakeRfb.ts (vitest globalSetup, in Node) provides to the tests in workerd.
declare module "vitest" {
  export interface ProvidedContext {
    fakeRfbPorts: { vncAuth: number; none: number; unreachable: number; veNCrypt: number; stats: number };
  }
}

export {};
