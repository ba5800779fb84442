import { describe, expect, it } from 'vitest';
import { settledInOrder, StatementPipeline } from '../../db/pipelined';

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const failingAfter = (ms: number, message: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms));

describe('settledInOrder', () => {
  it('gives each result in the order the statements were sent, whatever order they settle in', async () => {
    expect(await settledInOrder([after(20, 'first'), after(1, 2), undefined] as const)).toEqual(['first', 2, undefined]);
  });

  it('reports the first failure in the order sent, not the first to happen', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // The second fails first (as a statement behind a failed one fails once the transaction is aborted).
      await expect(settledInOrder([after(5, 'locked'), failingAfter(20, 'duplicate key'), failingAfter(1, 'transaction is aborted')])).rejects.toThrow(
        'duplicate key',
      );
      await after(30, undefined);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('StatementPipeline', () => {
  it('gives the result of a statement sent while the others run, and waits for all of them', async () => {
    const pipeline = new StatementPipeline();
    const done: string[] = [];
    pipeline.send(after(15, 'lock').then((v) => done.push(v)));
    const lookup = after(5, ['stored contact']);
    pipeline.send(lookup);
    pipeline.send(after(1, 'ledger').then((v) => done.push(v)));
    expect(await pipeline.resultOf(lookup)).toEqual(['stored contact']);
    await pipeline.settled();
    expect(done.sort()).toEqual(['ledger', 'lock']);
  });

  it('reports, for a statement whose result is awaited, the first failure of those sent before it, unhandled by none', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pipeline = new StatementPipeline();
      pipeline.send(failingAfter(10, 'no business'));
      // The lookup fails first, only because the transaction was aborted by the statement before it.
      const lookup = failingAfter(1, 'transaction is aborted');
      pipeline.send(lookup);
      pipeline.send(failingAfter(2, 'transaction is aborted'));
      await expect(pipeline.resultOf(lookup)).rejects.toThrow('no business');
      await expect(pipeline.settled()).rejects.toThrow('no business');
      await after(20, undefined);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
