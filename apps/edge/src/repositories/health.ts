/** Whether D1 answers one trivial query: the readiness check's only read. */
export async function databaseAnswers(db: D1Database): Promise<boolean> {
  try {
    return (await db.prepare("SELECT 1 AS ok").first<number>("ok")) === 1;
  } catch (error) {
    console.error("readiness: D1 did not answer", error);
    return false;
  }
}
