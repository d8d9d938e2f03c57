import { loadVncModule } from "../lazyModules.ts";
import type { SessionOpener } from "./protocol.ts";

/** Opens a VNC session through the separately loaded VNC module. */
export const openVncSession: SessionOpener = async (settings, context) =>
  (await loadVncModule()).openVnc(settings, context);
