// The VNC session page: noVNC over the Worker's WebSocket (/ws/rac/<token>/). The Worker has already
// done the VNC server's security handshake, so no credential ever reaches this page.
import RFB from "@novnc/novnc";

import { closedReason, element, endpoint, explained, show, socketUrl, statusWithPatience } from "../session.js";

const body = document.body;
const readOnly = body.dataset.readOnly === "true";
const screen = element("screen");
const ctrlAltDel = element("ctrl-alt-del");
const clipboard = element("clipboard");
const clipboardText = element("clipboard-text");
const clipboardToggle = element("clipboard-toggle");

let rfb = null;
let reconnected = false;
let finished = false;

/** After a drop the Worker may be unreachable for a while: ask again for up to this many seconds. */
const DROP_PATIENCE_SECONDS = 20;

async function closed(event, opened) {
  if (finished) return;
  if (explained(event.code)) {
    finished = true;
    show(closedReason(event, opened, null), "error");
    return;
  }
  // A refused upgrade (the browser cannot read its answer) or a dropped network: ask the Worker.
  const mayReconnect = opened && !reconnected;
  if (mayReconnect) show("Connection lost; reconnecting…");
  const status = await statusWithPatience(mayReconnect ? DROP_PATIENCE_SECONDS : 1);
  const reason = closedReason(event, opened, status);
  if (reason === null && mayReconnect) {
    reconnected = true;
    connect();
    return;
  }
  finished = true;
  show(reason ?? "Disconnected: the network connection was lost again", "error");
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
clipboardToggle.addEventListener("click", () => {
  clipboard.hidden = !clipboard.hidden;
  clipboardToggle.setAttribute("aria-expanded", String(!clipboard.hidden));
});
element("clipboard-send").addEventListener("click", () => {
  rfb?.clipboardPasteFrom(clipboardText.value);
  rfb?.focus();
});

connect();
