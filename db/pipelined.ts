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

/**
 * The same, for a transaction that sends statements as it builds them and needs the result of one of them before it
 * can build the rest.
 */
export class StatementPipeline {
  private readonly sent: Promise<unknown>[] = [];

  /** Sends a statement behind those sent before it. Its failure is handled now and reported in order. */
  send(statement: Promise<unknown>): void {
    statement.catch(() => undefined);
    this.sent.push(statement);
  }

  /** The result of a statement sent; if any statement sent so far failed, the first failure in the order sent. */
  async resultOf<T>(statement: Promise<T>): Promise<T> {
    try {
      return await statement;
    } catch (error) {
      await settledInOrder(this.sent);
      throw error;
    }
  }

  /** Waits for every statement sent, in order; the first failure is the one reported. */
  async settled(): Promise<void> {
    await settledInOrder(this.sent);
  }
}
