import { describe, expect, it } from 'vitest';
import { settledInOrder } from '../../db/pipelined';

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
