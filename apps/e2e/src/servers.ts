/** The real servers of an end-to-end run: Xtigervnc with an xterm, and the Worker under `wrangler dev`. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { listening, run, type Started, startGroup, waitFor } from "./processes.ts";

export const EDGE_DIR = path.resolve(import.meta.dirname, "..", "..", "edge");
const WRANGLER = path.join(EDGE_DIR, "node_modules", ".bin", "wrangler");

export const scratch = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

export interface Desktop {
  display: string;
  port: number;
  password: string;
  processes: Started[];
}

/** Xtigervnc (VNC Authentication only, on 127.0.0.1), a known root colour, and an xterm at the top left. */
export async function startDesktop(dir: string, display: number, password: string, colour: string): Promise<Desktop> {
  const port = 5900 + display;
  if (await listening(port)) {
    throw new Error(
      `port ${port} is taken (display :${display}): choose others with RAC_E2E_PORTS=port,inspector,display`,
    );
  }
  const passwordFile = path.join(dir, "vncpasswd");
  run("sh", ["-c", `vncpasswd -f > '${passwordFile}'`], { input: `${password}\n` });
  const args = [
    `:${display}`,
    "-geometry",
    "1024x768",
    "-depth",
    "24",
    "-rfbport",
    String(port),
    "-interface",
    "127.0.0.1",
  ];
  args.push("-SecurityTypes", "VncAuth", "-PasswordFile", passwordFile);
  const xvnc = startGroup("Xtigervnc", "Xtigervnc", args, { log: path.join(dir, "xvnc.log") });
  await waitFor(`Xtigervnc on port ${port}`, async () => ((await listening(port)) ? true : undefined));
  const env = { ...process.env, DISPLAY: `:${display}` };
  run("xsetroot", ["-solid", colour], { env });
  const xterm = startGroup("xterm", "xterm", ["-geometry", "80x20+0+0"], {
    env,
    cwd: dir,
    log: path.join(dir, "xterm.log"),
  });
  return { display: `:${display}`, port, password, processes: [xvnc, xterm] };
}

export interface Edge {
  base: string;
  admin: string;
  process: Started;
  /** Stops `wrangler dev` and starts it again on the same port and database (a dropped connection for the page). */
  restart(): Promise<void>;
}

/** `wrangler dev` on the given ports with a fresh local D1 (migrations applied first) and its own bootstrap token. */
export async function startEdge(dir: string, port: number, inspectorPort: number, vars: Record<string, string>) {
  if (await listening(port))
    throw new Error(`port ${port} is taken: choose others with RAC_E2E_PORTS=port,inspector,display`);
  const persist = path.join(dir, "d1");
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { cwd: EDGE_DIR, env });
  const admin = `e2e-${crypto.randomUUID()}-${crypto.randomUUID()}`;
  const args = ["dev", "--port", String(port), "--inspector-port", String(inspectorPort), "--ip", "127.0.0.1"];
  args.push("--persist-to", persist, "--var", `BOOTSTRAP_TOKEN:${admin}`);
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  const base = `http://127.0.0.1:${port}`;
  let runs = 0;
  const launch = async () => {
    const log = path.join(dir, `wrangler-${++runs}.log`);
    const server = startGroup("wrangler dev", WRANGLER, args, { cwd: EDGE_DIR, env, log });
    // Our random bootstrap key answering 200 proves the server on the port is this one.
    await waitFor(
      "wrangler dev",
      async () => {
        const headers = { authorization: `Bearer ${admin}` };
        const response = await fetch(`${base}/api/v3/flows/instances/`, { headers });
        return response.status === 200 ? true : undefined;
      },
      90_000,
    );
    return server;
  };
  const edge: Edge = {
    base,
    admin,
    process: await launch(),
    async restart() {
      await edge.process.stop();
      await waitFor("the port to be free", async () => ((await listening(port)) ? undefined : true));
      edge.process = await launch();
    },
  };
  return edge;
}

/** What the tests read from API answers: the object's pk and, for a launch, the secret. */
export interface ApiObject {
  pk: string;
  token: string;
  [key: string]: unknown;
}

/** A JSON call to the API as the bootstrap admin; throws on an unexpected status. */
export async function api(edge: Edge, method: string, route: string, body?: unknown, expected = [200, 201, 204]) {
  const response = await fetch(`${edge.base}/api/v3${route}`, {
    method,
    headers: { authorization: `Bearer ${edge.admin}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return (text === "" ? null : JSON.parse(text)) as ApiObject;
}

/** A flow, a provider and a VNC endpoint for the desktop, through the API; `settings` goes on the endpoint. */
export const vncEndpoint = (edge: Edge, name: string, host: string, settings: Record<string, string>) =>
  racEndpoint(edge, "vnc", name, host, settings);

/** A flow, a provider and an endpoint of `protocol` on `host`, through the API. */
export async function racEndpoint(
  edge: Edge,
  protocol: "vnc" | "ssh",
  name: string,
  host: string,
  settings: Record<string, string>,
) {
  const slug = `flow-${crypto.randomUUID().slice(0, 8)}`;
  const flow = await api(edge, "POST", "/flows/instances/", {
    name: slug,
    slug,
    title: slug,
    designation: "authorization",
  });
  const provider = await api(edge, "POST", "/providers/rac/", {
    name: `provider-${slug}`,
    authorization_flow: flow.pk,
  });
  return api(edge, "POST", "/rac/endpoints/", {
    name,
    provider: provider.pk,
    protocol,
    host,
    auth_mode: "static",
    settings,
    maximum_connections: -1,
  });
}
