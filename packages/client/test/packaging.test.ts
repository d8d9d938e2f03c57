/**
 * What npm consumers get: `pnpm pack` of core and client, installed with npm into a fresh project,
 * typechecked under moduleResolution nodenext (Node's types, no DOM) and bundler (DOM), with
 * skipLibCheck off, then run by Node as ESM. Offline: the third-party packages the consumer needs
 * (valibot, @types/node and its undici-types) are packed from the workspace's own install, and npm
 * runs with `--offline`, so the test never reaches a registry.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const tsc = path.join(root, "node_modules/typescript/bin/tsc");
/** Installed packages the consumer needs besides ours, by where the workspace installed them. */
const THIRD_PARTY: Record<string, string> = {
  valibot: path.join(root, "packages/core/node_modules/valibot"),
  "@types/node": path.join(root, "packages/client/node_modules/@types/node"),
};

let work: string;
let project: string;

/**
 * The environment without what the script running this test says about its own package: npm would
 * take this workspace package (npm_config_local_prefix) as its project instead of the consumer.
 */
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^(npm_config_local_prefix|npm_package_|npm_lifecycle_|npm_command|npm_execpath|pnpm_|PNPM_)/i.test(key),
  ),
);

function run(command: string, args: string[], cwd: string, timeout = 180_000) {
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout, env: { ...env, NO_COLOR: "1" } });
  console.log(`${command} ${args.slice(0, 3).join(" ")}: ${Date.now() - started} ms`);
  return {
    status: result.status,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`,
  };
}

function mustRun(command: string, args: string[], cwd: string) {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${result.output}`);
  return result.output;
}

const installed = (name: string) =>
  JSON.parse(readFileSync(path.join(project, "node_modules", name, "package.json"), "utf8"));

/**
 * A consumer's code: every line must typecheck, and each @ts-expect-error must meet an error (an
 * unused one is itself an error), so the types are real, not `any`.
 */
const CONSUMER = `import {
  ApiError,
  type Client,
  createClient,
  type Endpoint,
  type RacProvider,
} from "@rac-edge/client";
import { formatDuration, parseDuration, RacProviderRequestSchema } from "@rac-edge/core";

export async function example(token: string): Promise<string[]> {
  const client: Client = createClient({ baseUrl: "https://rac.example.com", token });
  const provider: RacProvider = await client.providers.rac.create({
    name: "Office",
    authorization_flow: "0b5d6a4e-6a60-4bb2-9b6c-5f6f2f0b8a11",
    connection_expiry: formatDuration(parseDuration("hours=1")),
  });
  const hosts: string[] = [];
  for await (const endpoint of client.rac.endpoints.all({ provider: provider.pk, page_size: 50 })) {
    hosts.push((endpoint satisfies Endpoint).host);
  }
  try {
    await client.rac.endpoints.launch(hosts[0] ?? "", { settings: { username: "ada", password: "secret" } });
  } catch (error) {
    if (error instanceof ApiError) hosts.push(String(error.status), JSON.stringify(error.body));
  }
  // @ts-expect-error connection tokens are created by a launch, not by create
  client.rac.connectionTokens.create;
  // @ts-expect-error not a filter of providers
  await client.providers.rac.list({ provider: 1 });
  // @ts-expect-error provider keys are numbers
  await client.providers.rac.retrieve("1");
  return RacProviderRequestSchema.type === "object" ? hosts : [];
}
`;

/** The same packages at run time, under Node, as ESM. */
const RUNTIME = `import { ApiError, createClient } from "@rac-edge/client";
import { parseDuration } from "@rac-edge/core";
const seen = [];
const client = createClient({
  baseUrl: "https://rac.example.com",
  token: "k",
  fetch: async (request) => {
    seen.push(request.method + " " + request.url);
    return new Response(JSON.stringify({ detail: "Not found." }), { status: 404 });
  },
});
const error = await client.rac.endpoints.retrieve("x").catch((caught) => caught);
const ms = parseDuration("minutes=2");
console.log(JSON.stringify({ apiError: error instanceof ApiError, status: error.status, body: error.body, seen, ms }));
`;

const tsconfig = (options: Record<string, unknown>) =>
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      isolatedModules: true,
      verbatimModuleSyntax: true,
      ...options,
    },
    files: ["consumer.ts"],
  });

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "rac-edge-packaging-"));
  const tarballs = path.join(work, "tarballs");
  mkdirSync(tarballs);
  for (const name of ["core", "client"])
    mustRun("npx", ["-y", "pnpm@10.34.8", "pack", "--pack-destination", tarballs], path.join(root, "packages", name));
  const [core, client] = ["core", "client"].map(
    (name) => readdirSync(tarballs).find((file) => file.startsWith(`rac-edge-${name}-`))!,
  );
  // @types/node's one dependency, from the same store, next to it.
  const typesNode = realpathSync(THIRD_PARTY["@types/node"]!);
  const packages: Record<string, string> = {
    ...THIRD_PARTY,
    "undici-types": path.join(typesNode, "../../undici-types"),
  };
  const dependencies: Record<string, string> = {
    "@rac-edge/core": `file:../tarballs/${core}`,
    "@rac-edge/client": `file:../tarballs/${client}`,
  };
  for (const [name, dir] of Object.entries(packages)) {
    // A copy: the store hard-links identical files, which npm packs as 0-byte link entries.
    const copy = path.join(work, "copies", name);
    cpSync(realpathSync(dir), copy, { recursive: true, dereference: true });
    const file = mustRun(
      "npm",
      ["pack", copy, "--pack-destination", tarballs, "--ignore-scripts", "--offline", "--loglevel=error"],
      work,
    )
      .trim()
      .split("\n")
      .pop()!;
    dependencies[name] = `file:../tarballs/${file}`;
  }
  project = path.join(work, "consumer");
  mkdirSync(project);
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }),
  );
  mustRun("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], project);
  writeFileSync(path.join(project, "consumer.ts"), CONSUMER);
  writeFileSync(path.join(project, "runtime.mjs"), RUNTIME);
  writeFileSync(
    path.join(project, "tsconfig.nodenext.json"),
    tsconfig({ module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023"], types: ["node"] }),
  );
  writeFileSync(
    path.join(project, "tsconfig.bundler.json"),
    tsconfig({ module: "ESNext", moduleResolution: "Bundler", lib: ["ES2023", "DOM", "DOM.Iterable"], types: [] }),
  );
}, 420_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const SLOW = 180_000;

describe("the published packages", () => {
  it(
    "ship built ESM with types, sideEffects false, and real version ranges",
    () => {
      for (const name of ["@rac-edge/core", "@rac-edge/client"]) {
        const manifest = installed(name);
        expect(manifest.type, name).toBe("module");
        expect(manifest.sideEffects, name).toBe(false);
        expect(manifest.exports["."], name).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
        for (const file of ["dist/index.js", "dist/index.d.ts"])
          expect(existsSync(path.join(project, "node_modules", name, file)), `${name}/${file}`).toBe(true);
        expect(JSON.stringify(manifest.dependencies ?? {}), name).not.toMatch(/workspace:|catalog:/);
        expect(existsSync(path.join(project, "node_modules", name, "LICENSE")), `${name}/LICENSE`).toBe(true);
        expect(existsSync(path.join(project, "node_modules", name, "README.md")), `${name}/README.md`).toBe(true);
        expect(manifest.license, name).toBe("MIT");
        expect(manifest.engines, name).toEqual({ node: ">=20" });
        for (const field of ["repository", "homepage", "bugs"])
          expect(manifest[field], `${name} ${field}`).toBeTruthy();
      }
      expect(installed("@rac-edge/client").dependencies["@rac-edge/core"]).toBe(
        `^${installed("@rac-edge/core").version}`,
      );
    },
    SLOW,
  );

  it(
    "typecheck a consumer under moduleResolution nodenext (Node's types, no DOM)",
    () => {
      const result = run(process.execPath, [tsc, "-p", "tsconfig.nodenext.json"], project);
      expect(result.output).toBe("");
      expect(result.status).toBe(0);
    },
    SLOW,
  );

  it(
    "typecheck a consumer under moduleResolution bundler (DOM types)",
    () => {
      const result = run(process.execPath, [tsc, "-p", "tsconfig.bundler.json"], project);
      expect(result.output).toBe("");
      expect(result.status).toBe(0);
    },
    SLOW,
  );

  it("run under Node as ESM", () => {
    const output = mustRun(process.execPath, ["runtime.mjs"], project);
    expect(JSON.parse(output)).toEqual({
      apiError: true,
      status: 404,
      body: { detail: "Not found." },
      seen: ["GET https://rac.example.com/api/v3/rac/endpoints/x/"],
      ms: 120_000,
    });
  });
});
