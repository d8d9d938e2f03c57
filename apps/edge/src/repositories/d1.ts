/** Helpers shared by the repositories: JSON columns and constraint failures. */

export const parseJson = <T = unknown>(text: string | null): T => (text === null ? null : JSON.parse(text)) as T;

/** The `table.column` of a UNIQUE violation, or null. */
export function uniqueViolation(error: unknown): string | null {
  const match = /UNIQUE constraint failed: ([\w.]+)/.exec(String((error as Error)?.message ?? error));
  return match ? match[1]! : null;
}

export const isForeignKeyViolation = (error: unknown): boolean => /FOREIGN KEY constraint failed/.test(String((error as Error)?.message ?? error));
