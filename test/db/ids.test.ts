import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../db/ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisecondsOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('timeOrderedId', () => {
  // Enough ids to draw on the random pool several times over.
  const ids = Array.from({ length: 20_000 }, () => timeOrderedId());

  it('gives UUIDs of version 7', () => {
    expect(ids.filter((id) => !UUID_V7.test(id))).toEqual([]);
  });

  it('never gives an id twice', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives ids in time order, to the millisecond, stamped with the time they were made', () => {
    const before = Date.now();
    const [first, second] = [timeOrderedId(), timeOrderedId()];
    const after = Date.now();
    expect(millisecondsOf(first)).toBeGreaterThanOrEqual(before);
    expect(millisecondsOf(second)).toBeLessThanOrEqual(after);
    const backwards = ids.findIndex((id, i) => i > 0 && millisecondsOf(id) < millisecondsOf(ids[i - 1] as string));
    expect(backwards).toBe(-1);
  });
});
