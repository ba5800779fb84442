import { describe, expect, it } from 'vitest';
import { describeCounts, estimateRows, formatCount } from '../../../domain/import/counts';

describe('estimateRows', () => {
  it.each([
    // rows read, their bytes, bytes of the file: rows estimated
    [50, 3_225, 64_500_000, 1_000_000],
    [20_000, 1_290_000, 64_500_000, 1_000_000],
    [3, 85, 85, 3],
    [1, 3, 10, 3],
    [0, 0, 64_500_000, 0],
    [0, 27, 27, 0],
  ])('%i rows in %i bytes: %i bytes hold %i', (rows, bytes, total, estimated) => {
    expect(estimateRows({ rows, bytes }, total)).toBe(estimated);
  });
});

describe('describeCounts', () => {
  it.each([
    [{ created: 0, updated: 0, skipped: 0, failed: 0 }, '0 created, 0 updated, 0 skipped, 0 failed'],
    [{ created: 879_554, updated: 30_142, skipped: 70_080, failed: 20_224 }, '879,554 created, 30,142 updated, 70,080 skipped, 20,224 failed'],
    [{ created: 1, updated: 1_000, skipped: 12, failed: 1_000_000 }, '1 created, 1,000 updated, 12 skipped, 1,000,000 failed'],
  ])('%o', (counts, text) => {
    expect(describeCounts(counts)).toBe(text);
  });

  it('formats a count with thousands separated', () => {
    expect([0, 999, 1_000, 1_234_567].map(formatCount)).toEqual(['0', '999', '1,000', '1,234,567']);
  });
});
