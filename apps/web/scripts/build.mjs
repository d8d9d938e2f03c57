#!/usr/bin/env node
// Builds the Worker's static assets into dist/. Page templates go under dist/-/pages/ (a path the Worker owns, so
// they are only ever served through it); the page script is bundled with noVNC by esbuild into one module under
// dist/static/ (noVNC's 50-odd ES modules loaded one by one cost about a second before the first frame), with a
// source map carrying noVNC's unmodified source and its licence next to it (MPL-2.0). The SSH page and xterm.js
// are copied as they are (two modules).
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const web = path.resolve(import.meta.dirname, "..");
const dist = path.join(web, "dist");
const src = path.join(web, "src");
// The package exports only core/rfb.js, so its licence is taken from the installed directory.
const novnc = path.join(web, "node_modules", "@novnc", "novnc");

rmSync(dist, { recursive: true, force: true });
mkdirSync(path.join(dist, "-", "pages"), { recursive: true });
cpSync(path.join(src, "vnc", "page.html"), path.join(dist, "-", "pages", "vnc.html"));
cpSync(path.join(src, "session.css"), path.join(dist, "static", "session.css"));
cpSync(path.join(src, "signin.css"), path.join(dist, "static", "signin.css"));
// What both session pages share: the SSH page imports it as /static/session.js (the VNC page bundles it).
cpSync(path.join(src, "session.js"), path.join(dist, "static", "session.js"));
cpSync(path.join(src, "ssh", "page.html"), path.join(dist, "-", "pages", "ssh.html"));
for (const file of ["session.js", "terminal.css"])
  cpSync(path.join(src, "ssh", file), path.join(dist, "static", "ssh", file));
// xterm.js and its fit addon as the ES modules they ship (the SSH page imports them as they are).
const xterm = path.join(web, "node_modules", "@xterm");
for (const [from, to] of [
  ["xterm/lib/xterm.mjs", "xterm.mjs"],
  ["xterm/css/xterm.css", "xterm.css"],
  ["xterm/LICENSE", "LICENSE"],
  ["addon-fit/lib/addon-fit.mjs", "addon-fit.mjs"],
]) {
  cpSync(path.join(xterm, from), path.join(dist, "static", "xterm", to));
}
// The admin console (apps/console, built first: a dependency of this package) is served at /if/admin/.
cpSync(path.join(web, "..", "console", "dist"), path.join(dist, "if", "admin"), { recursive: true });
cpSync(path.join(novnc, "LICENSE.txt"), path.join(dist, "static", "novnc", "LICENSE.txt"));
await build({
  entryPoints: [path.join(src, "vnc", "session.js")],
  outfile: path.join(dist, "static", "vnc", "session.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  legalComments: "inline",
  banner: {
    js: "/* Includes noVNC (@novnc/novnc 1.7.0, MPL-2.0, github.com/novnc/noVNC): /static/novnc/LICENSE.txt */",
  },
  logLevel: "warning",
});
console.log(`built ${path.relative(process.cwd(), dist)}`);
