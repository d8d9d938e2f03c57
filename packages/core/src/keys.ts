/** An integer primary key as written in a path or query: 1 to 15 digits (a safe integer; no sign, no spaces). */
const INTEGER_KEY = /^\d{1,15}$/;

export const isIntegerKey = (text: string): boolean => INTEGER_KEY.test(text);

/** The integer a key names, or null for anything that is not an integer key. */
export const parseIntegerKey = (text: string): number | null => (INTEGER_KEY.test(text) ? Number(text) : null);
