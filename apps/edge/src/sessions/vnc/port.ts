/** The data plane's port when the settings name none (the gateway connect answer stays as it is). */
export const DEFAULT_VNC_PORT = 5900;

export function vncPort(settings: Record<string, string>): number {
  const port = Number(settings.port ?? "");
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : DEFAULT_VNC_PORT;
}
