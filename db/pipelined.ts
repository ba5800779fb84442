/**
 * Statements of one transaction sent without waiting between them (each `.execute()`d as soon as it is built): the
 * server runs them in the order sent while the worker goes on. They are awaited in that order, so that the first
 * failure is the one reported: a statement after one that failed fails only because the transaction is aborted.
 * Every statement's failure is handled from the start, so that one failing before its turn to be awaited is not
 * reported as unhandled.
 */
export async function settledInOrder<T extends readonly unknown[]>(statements: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  for (const statement of statements) if (statement instanceof Promise) statement.catch(() => undefined);
  const results: unknown[] = [];
  for (const statement of statements) results.push(await statement);
  return results as { -readonly [K in keyof T]: Awaited<T[K]> };
}
