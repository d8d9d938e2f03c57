// What the VNC and SSH session pages share: the token's socket, the state line, the Worker's word on the token
// after a socket closed, and the full-screen button. The VNC page bundles it; the SSH page imports /static/session.js.

const body = document.body;
const token = location.pathname.split("/")[3];
const statusUrl = `/if/rac/${token}/status/`;

export const endpoint = body.dataset.endpoint ?? "";
export const socketUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/rac/${token}/`;
export const element = (id) => document.getElementById(id);

const state = element("state");
element("endpoint").textContent = endpoint;
element("fullscreen").addEventListener("click", () => {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void document.documentElement.requestFullscreen();
});

/** Shows the connection state in words; `kind` is ok, error or nothing (in progress). */
export function show(text, kind = "") {
  state.textContent = text;
  state.className = kind;
  body.dataset.state = kind || "connecting";
}

/** The Worker's word on the token: `{live, error}` (error: why it last refused a connect), or not live. */
async function tokenStatus() {
  const response = await fetch(statusUrl, { cache: "no-store" });
  if (response.status === 404) return { live: false, error: null };
  if (!response.ok) throw new Error(`status ${response.status}`);
  return response.json();
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The token's status, asking again while the Worker is unreachable (`tries` times, a second apart); null if never. */
export async function statusWithPatience(tries = 1) {
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      return await tokenStatus();
    } catch {
      if (attempt < tries) await pause(1000);
    }
  }
  return null;
}

/** Close codes the Worker uses for its reasons (expired, revoked, taken over, session ended, policy). */
export const explained = (code) => code >= 4000 || code === 1003 || code === 1008 || code === 1011;

/**
 * Why a socket closed, in words: its own reason when the Worker explained it, else what the token's status says.
 * Null when the token is live and the socket had opened (the network dropped): the page decides what follows.
 */
export function closedReason(event, opened, status) {
  if (explained(event.code)) return `Disconnected: ${event.reason || "the session ended"}`;
  if (status === null) return "Disconnected: the network connection was lost";
  if (!status.live) return "This link is no longer valid: the session has ended, expired or was revoked.";
  if (!opened) return `Could not connect: ${status.error ?? "the gateway refused the connection"}`;
  return null;
}
