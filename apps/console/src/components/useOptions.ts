/** Choices for a select, loaded once from the API (the first 1,000, the API's largest page). */
import { useEffect, useState } from "preact/hooks";
import type { Option } from "./Form.tsx";

export function useOptions(load: () => Promise<Option[]>): Option[] | null {
  const [options, setOptions] = useState<Option[] | null>(null);
  useEffect(() => {
    load()
      .then(setOptions)
      .catch(() => setOptions([]));
  }, []);
  return options;
}

export const choices = (values: readonly string[]): Option[] => values.map((value) => ({ value, label: value }));
