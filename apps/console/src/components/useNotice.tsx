/** A page's status line, and the row actions that report into it: what they did, or why the API refused. */
import { useState } from "preact/hooks";
import { errorText } from "../api.ts";

interface Report {
  /** Asked first with `confirm()`: nothing happens unless the user agrees. */
  ask?: string;
  /** Shown while the request runs. */
  pending?: string;
  /** Shown once it succeeded. */
  done: string;
  /** Refreshes the list after a success. */
  reload?: () => void;
}

export function useNotice() {
  const [notice, setNotice] = useState("");
  const act = async (request: () => Promise<unknown>, { ask, pending, done, reload }: Report) => {
    if (ask !== undefined && !confirm(ask)) return;
    if (pending !== undefined) setNotice(pending);
    try {
      await request();
      setNotice(done);
      reload?.();
    } catch (error) {
      setNotice(errorText(error));
    }
  };
  const line = (
    <p class="notice" role="status">
      {notice}
    </p>
  );
  return { line, setNotice, act };
}
