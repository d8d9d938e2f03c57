// The VNC session page: noVNC over the Worker's WebSocket (/ws/rac/<token>/). The Worker has already
// done the VNC server's security handshake, so no credential ever reaches this page.
import RFB from "@novnc/novnc";

const body = document.body;
const endpoint = body.dataset.endpoint ?? "";
const readOnly = body.dataset.readOnly === "true";
const token = location.pathname.split("/")[3];
const socketUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/rac/${token}/`;
const statusUrl = `/if/rac/${token}/status/`;

const element = (id) => document.getElementById(id);
const screen = element("screen");
const state = element("state");
const ctrlAltDel = element("ctrl-alt-del");
const clipboard = element("clipboard");
const clipboardText = element("clipboard-text");
const clipboardToggle = element("clipboard-toggle");

element("endpoint").textContent = endpoint;

/** Shows the connection state in words; `kind` is ok, error or nothing (in progress). */
function show(text, kind = "") {
  state.textContent = text;
  state.className = kind;
  body.dataset.state = kind || "connecting";
}

let rfb = null;
let reconnected = false;
let finished = false;

/** The Worker's word on the token: `{live, error}` (error: why it last refused a connect), or not live. */
async function tokenStatus() {
  const response = await fetch(statusUrl, { cache: "no-store" });
  if (response.status === 404) return { live: false, error: null };
  if (!response.ok) throw new Error(`status ${response.status}`);
  return response.json();
}

/** Close codes the Worker uses for its reasons (expired, revoked, taken over, server closed, policy). */
const explained = (code) => code >= 4000 || code === 1003 || code === 1008 || code === 1011;

/** After a drop the Worker may be unreachable for a while: ask again for up to this many seconds. */
const DROP_PATIENCE_SECONDS = 20;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The token's status, asking again while the Worker is unreachable (`tries` times, a second apart); null if never. */
async function statusWithPatience(tries) {
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      return await tokenStatus();
    } catch {
      if (attempt < tries) await pause(1000);
    }
  }
  return null;
}

async function closed(event, opened) {
  if (finished) return;
  if (explained(event.code)) {
    finished = true;
    show(`Disconnected: ${event.reason || "the session ended"}`, "error");
    return;
  }
  // A refused upgrade (the browser cannot read its answer) or a dropped network: ask the Worker.
  const mayReconnect = opened && !reconnected;
  if (mayReconnect) show("Connection lost; reconnecting…");
  const status = await statusWithPatience(mayReconnect ? DROP_PATIENCE_SECONDS : 1);
  if (status === null) {
    finished = true;
    show("Disconnected: the network connection was lost", "error");
  } else if (!status.live) {
    finished = true;
    show("This link is no longer valid: the session has ended, expired or was revoked.", "error");
  } else if (!opened) {
    finished = true;
    show(`Could not connect: ${status.error ?? "the gateway refused the connection"}`, "error");
  } else if (mayReconnect) {
    reconnected = true;
    connect();
  } else {
    finished = true;
    show("Disconnected: the network connection was lost again", "error");
  }
}

let attempts = 0;

function connect() {
  body.dataset.attempts = String(++attempts); // how many sockets this page opened (at most two)
  show(reconnected ? "Reconnecting…" : "Connecting…");
  const socket = new WebSocket(socketUrl, ["binary"]);
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
  });
  socket.addEventListener("close", (event) => void closed(event, opened));
  rfb = new RFB(screen, socket, { shared: true });
  rfb.scaleViewport = true;
  rfb.resizeSession = false;
  rfb.viewOnly = readOnly;
  rfb.addEventListener("connect", () => {
    show(readOnly ? "Connected (view only)" : "Connected", "ok");
    ctrlAltDel.disabled = readOnly;
    rfb.focus();
  });
  rfb.addEventListener("disconnect", () => {
    ctrlAltDel.disabled = true;
  });
  rfb.addEventListener("desktopname", (event) => {
    document.title = `${endpoint || event.detail.name} · rac-edge`;
  });
  rfb.addEventListener("clipboard", (event) => {
    clipboardText.value = event.detail.text;
    navigator.clipboard?.writeText(event.detail.text).catch(() => {
      // Without permission the text stays in the clipboard panel.
    });
  });
}

ctrlAltDel.addEventListener("click", () => rfb?.sendCtrlAltDel());
element("fullscreen").addEventListener("click", () => {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void document.documentElement.requestFullscreen();
});
clipboardToggle.addEventListener("click", () => {
  clipboard.hidden = !clipboard.hidden;
  clipboardToggle.setAttribute("aria-expanded", String(!clipboard.hidden));
});
element("clipboard-send").addEventListener("click", () => {
  rfb?.clipboardPasteFrom(clipboardText.value);
  rfb?.focus();
});

connect();
