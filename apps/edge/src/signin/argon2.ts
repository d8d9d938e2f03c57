/**
 * The entry of the separately loaded Argon2 module (scripts/build-modules.mjs → src/generated/argon2.js, its
 * Wasm copied beside it): only password checks and changes load it (src/signin/passwords.ts).
 */
import noSimd from "argon2id/dist/no-simd.wasm";
import simd from "argon2id/dist/simd.wasm";
import setupWasm from "argon2id/lib/setup.js";

const instantiate = (module: WebAssembly.Module) => async (imports: WebAssembly.Imports) => ({
  instance: await WebAssembly.instantiate(module, imports),
});

type Hasher = Awaited<ReturnType<typeof setupWasm>>;
export type Argon2Params = Parameters<Hasher>[0];

let hasher: Promise<Hasher> | undefined;

export function argon2id(params: Argon2Params): Promise<Uint8Array> {
  hasher ??= setupWasm(instantiate(simd), instantiate(noSimd));
  return hasher.then((hash) => hash(params));
}
