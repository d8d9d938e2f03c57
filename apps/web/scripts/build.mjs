#!/usr/bin/env node
// Builds the Worker's static assets into dist/: the session pages and noVNC, copied as they are
// (plain ES modules, no bundler). Page templates go under dist/-/pages/ (a path the Worker owns, so
// they are only ever served through it); scripts, styles and noVNC under dist/static/.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";

const web = path.resolve(import.meta.dirname, "..");
const dist = path.join(web, "dist");
const src = path.join(web, "src");
// The package exports only core/rfb.js, so its files are taken from the installed directory.
const novnc = path.join(web, "node_modules", "@novnc", "novnc");

rmSync(dist, { recursive: true, force: true });
mkdirSync(path.join(dist, "-", "pages"), { recursive: true });
cpSync(path.join(src, "vnc", "page.html"), path.join(dist, "-", "pages", "vnc.html"));
cpSync(path.join(src, "vnc", "session.js"), path.join(dist, "static", "vnc", "session.js"));
cpSync(path.join(src, "session.css"), path.join(dist, "static", "session.css"));
cpSync(path.join(src, "ssh", "page.html"), path.join(dist, "-", "pages", "ssh.html"));
for (const file of ["session.js", "terminal.css"])
  cpSync(path.join(src, "ssh", file), path.join(dist, "static", "ssh", file));
// xterm.js and its fit addon as the ES modules they ship.
const xterm = path.join(web, "node_modules", "@xterm");
for (const [from, to] of [
  ["xterm/lib/xterm.mjs", "xterm.mjs"],
  ["xterm/css/xterm.css", "xterm.css"],
  ["xterm/LICENSE", "LICENSE"],
  ["addon-fit/lib/addon-fit.mjs", "addon-fit.mjs"],
]) {
  cpSync(path.join(xterm, from), path.join(dist, "static", "xterm", to));
}
for (const part of ["core", "vendor", "LICENSE.txt"]) {
  cpSync(path.join(novnc, part), path.join(dist, "static", "novnc", part), { recursive: true });
}
console.log(`built ${path.relative(process.cwd(), dist)}`);
