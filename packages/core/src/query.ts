/** List query parameters shared by every resource: `ordering` and `search`. */

export interface OrderTerm {
  field: string;
  descending: boolean;
}

/**
 * `ordering=name,-pk`: comma-separated fields, `-` for descending. Fields outside `allowed` are
 * ignored (as DRF does); an ordering with no known field falls back to `fallback`.
 */
export function parseOrdering(
  value: string | null,
  allowed: readonly string[],
  fallback: readonly OrderTerm[],
): OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const raw of (value ?? "").split(",")) {
    const term = raw.trim();
    const descending = term.startsWith("-");
    const field = descending ? term.slice(1) : term;
    if (allowed.includes(field) && !terms.some((t) => t.field === field)) terms.push({ field, descending });
  }
  return terms.length > 0 ? terms : [...fallback];
}

/** `search=a b`: whitespace-separated terms; each must match one of the search fields. */
export function searchTerms(value: string | null): string[] {
  return (value ?? "").split(/[\s,]+/).filter((term) => term !== "");
}

/** DRF's boolean query values. */
export function queryBoolean(value: string | null): boolean | null {
  if (value === null) return null;
  const lower = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(lower)) return true;
  if (["false", "0", "no", "off"].includes(lower)) return false;
  return null;
}
