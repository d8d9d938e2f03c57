// The SSH session page: xterm.js over the Worker's WebSocket (/ws/rac/<token>/). The Worker is the SSH
// client, so no credential or key ever reaches this page. Binary frames carry terminal bytes both ways;
// text frames carry JSON control messages ({"type":"resize","cols":N,"rows":M}).
import { FitAddon } from "/static/xterm/addon-fit.mjs";
import { Terminal } from "/static/xterm/xterm.mjs";
import { closedReason, element, explained, show, socketUrl, statusWithPatience } from "../session.js";

const body = document.body;
const notice = element("notice");

/** Guacamole's named colour schemes (the `color-scheme` setting). */
const SCHEMES = {
  "black-white": { background: "#ffffff", foreground: "#000000", cursor: "#000000" },
  "gray-black": { background: "#000000", foreground: "#aaaaaa", cursor: "#aaaaaa" },
  "green-black": { background: "#000000", foreground: "#00ff00", cursor: "#00ff00" },
  "white-black": { background: "#000000", foreground: "#ffffff", cursor: "#ffffff" },
};
const fontSize = Number(body.dataset.fontSize) > 0 ? Number(body.dataset.fontSize) : 14;
const theme = SCHEMES[body.dataset.colorScheme ?? ""] ?? SCHEMES["gray-black"];

// Screen-reader mode keeps the terminal's text in an accessible DOM tree (xterm 6 renders with the DOM).
const terminal = new Terminal({ screenReaderMode: true, cursorBlink: true, fontSize, theme, scrollback: 5000 });
const fit = new FitAddon();
terminal.loadAddon(fit);
const container = element("terminal");
terminal.open(container);
fit.fit();
terminal.focus();
container.style.background = theme.background;

const encoder = new TextEncoder();
/** Frames typed or resized before the socket is open, sent in order once it is. */
const pending = [];
let socket = null;
let finished = false;

function send(frame) {
  if (finished) return;
  if (socket !== null && socket.readyState === WebSocket.OPEN) socket.send(frame);
  else pending.push(frame);
}

const resizeFrame = () => JSON.stringify({ type: "resize", cols: terminal.cols, rows: terminal.rows });
terminal.onData((data) => send(encoder.encode(data)));
terminal.onBinary((data) => send(Uint8Array.from(data, (char) => char.charCodeAt(0))));
terminal.onResize(() => send(resizeFrame()));
new ResizeObserver(() => fit.fit()).observe(container);

function finish(text) {
  finished = true;
  pending.length = 0;
  terminal.options.disableStdin = true;
  terminal.options.cursorBlink = false;
  show(text, "error");
}

async function closed(event, opened) {
  if (finished) return;
  // A refused upgrade (the browser cannot read its answer) or a dropped network: ask the Worker.
  const status = explained(event.code) ? null : await statusWithPatience();
  finish(closedReason(event, opened, status) ?? "Disconnected: the connection to the gateway was lost");
}

function connect() {
  show("Connecting…");
  socket = new WebSocket(socketUrl, ["binary"]);
  socket.binaryType = "arraybuffer";
  let opened = false;
  socket.addEventListener("open", () => {
    opened = true;
    show("Connected", "ok");
    // The PTY takes the window's size first, then what was typed while connecting, in order.
    socket.send(resizeFrame());
    for (const frame of pending.splice(0)) socket.send(frame);
  });
  socket.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) terminal.write(new Uint8Array(event.data));
  });
  socket.addEventListener("close", (event) => void closed(event, opened));
}

function say(text) {
  notice.textContent = text;
  setTimeout(() => {
    if (notice.textContent === text) notice.textContent = "";
  }, 4000);
}

async function copySelection() {
  const text = terminal.getSelection();
  if (text === "") return say("Select text in the terminal to copy it");
  try {
    await navigator.clipboard.writeText(text);
    say("Copied");
  } catch {
    say("The browser did not allow writing the clipboard");
  }
}

async function pasteClipboard() {
  try {
    terminal.paste(await navigator.clipboard.readText());
  } catch {
    say("The browser did not allow reading the clipboard: use Ctrl+Shift+V or the browser's Paste");
  }
  terminal.focus();
}

// Ctrl+Shift+C copies; Ctrl+Shift+V is left to the browser, whose paste event xterm turns into input.
terminal.attachCustomKeyEventHandler((event) => {
  if (event.type !== "keydown" || !event.ctrlKey || !event.shiftKey) return true;
  if (event.code === "KeyC") {
    void copySelection();
    return false;
  }
  return event.code !== "KeyV";
});
element("copy").addEventListener("click", () => void copySelection());
element("paste").addEventListener("click", () => void pasteClipboard());

connect();
