/** The Worker's time source; tests replace `now` instead of sleeping. */
export const clock = { now: (): number => Date.now() };
export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
