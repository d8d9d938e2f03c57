// What authentik's published client (`@goauthentik/api`) declares, read from its dist/esm files
// for the tests (vitest.config.ts passes it to workerd as the CLIENT_MODELS binding):
// - models: each interface's fields by wire name (from the model's FromJSON), with TypeScript type
//   and whether the field is required (no `?`);
// - enums: each enum's values (without the generator's `11184809` placeholder);
// - operations: each API method (camelCase operationId) and the type its `...Raw` method answers.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const withoutComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
const squash = (text) => text.replace(/\s+/g, " ").trim();

/** Splits an interface body at the semicolons of depth 0 (`{ [key: string]: any; }` stays whole). */
function members(body) {
  const out = [];
  let depth = 0;
  let current = "";
  for (const char of body) {
    if (char === "{" || char === "<") depth++;
    if (char === "}" || char === ">") depth--;
    if (char === ";" && depth === 0) {
      if (current.trim() !== "") out.push(squash(current));
      current = "";
    } else current += char;
  }
  return out;
}

/** The interface body after `export interface Name {`, braces matched. */
function interfaceBody(text, start) {
  let depth = 0;
  for (let index = start; index < text.length; index++) {
    if (text[index] === "{") depth++;
    if (text[index] === "}" && --depth === 0) return text.slice(text.indexOf("{", start) + 1, index);
  }
  throw new Error("unbalanced interface");
}

export function readClientModels() {
  const require = createRequire(import.meta.url);
  const root = path.join(path.dirname(require.resolve("@goauthentik/api/package.json")), "dist/esm");
  const models = {};
  const enums = {};
  const modelDir = path.join(root, "models");
  for (const file of readdirSync(modelDir).filter((name) => name.endsWith(".d.ts"))) {
    const text = withoutComments(readFileSync(path.join(modelDir, file), "utf8"));
    const enumMatch = /export declare const (\w+): \{([^}]*)\}/.exec(text);
    if (enumMatch) {
      enums[enumMatch[1]] = [...enumMatch[2].matchAll(/readonly \w+: "([^"]*)"/g)]
        .map((m) => m[1])
        .filter((value) => value !== "11184809");
      continue;
    }
    const found = /export interface (\w+) \{/.exec(text);
    if (!found) continue;
    const name = found[1];
    const js = readFileSync(path.join(modelDir, file.replace(/\.d\.ts$/, ".js")), "utf8");
    const wire = Object.fromEntries([...js.matchAll(/^\s*'(\w+)': .*?json\['([^']+)'\]/gm)].map((m) => [m[1], m[2]]));
    const fields = {};
    for (const member of members(interfaceBody(text, found.index))) {
      // An index signature (`[key: string]: any`) means the model takes any further key.
      if (member.startsWith("[")) {
        fields["*"] = { type: "any", required: false };
        continue;
      }
      const field = /^(?:readonly )?(\w+)(\??): (.+)$/.exec(member);
      if (!field) throw new Error(`${name}: cannot read member "${member}"`);
      const [, camel, optional, type] = field;
      fields[wire[camel] ?? camel] = { type, required: optional === "" };
    }
    models[name] = fields;
  }
  const operations = {};
  const apiDir = path.join(root, "apis");
  for (const file of readdirSync(apiDir).filter((name) => name.endsWith(".d.ts"))) {
    const text = readFileSync(path.join(apiDir, file), "utf8");
    for (const m of text.matchAll(/(\w+)Raw\([^)]*\): Promise<runtime\.ApiResponse<([\s\S]*?)>>;/g))
      operations[m[1]] = squash(m[2]);
  }
  return { models, enums, operations };
}
