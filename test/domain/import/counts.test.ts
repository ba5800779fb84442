import { describe, expect, it } from 'vitest';
import { addRowErrors, describeCounts, estimateRows, formatCount } from '../../../domain/import/counts';

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

describe('addRowErrors', () => {
  type RowError = { row: number; message: string; importedBefore?: string };
  const failed = (row: number): RowError => ({ row, message: `row ${row}: phone '12345' is not a valid number for AU and there is no email` });
  const notice = (row: number, importedBefore: string): RowError => ({ row, message: `row ${row}: imported before`, importedBefore });

  it.each<[string, RowError[], RowError[], number, RowError[]]>([
    ['adds errors after those kept', [failed(2)], [failed(5), failed(9)], 50, [failed(2), failed(5), failed(9)]],
    ['keeps at most the number given', [failed(2), failed(3)], [failed(5), failed(9)], 3, [failed(2), failed(3), failed(5)]],
    ['keeps the first notice of an earlier import only', [notice(2, 'a'), failed(7)], [notice(5002, 'a'), failed(5007)], 50, [notice(2, 'a'), failed(7), failed(5007)]],
    ['keeps one notice for each earlier import', [notice(2, 'a')], [notice(5002, 'b'), notice(10002, 'a'), notice(10003, 'b')], 50, [notice(2, 'a'), notice(5002, 'b')]],
    ['drops repeated notices within what is added', [], [notice(2, 'a'), notice(5002, 'a'), failed(6000)], 50, [notice(2, 'a'), failed(6000)]],
  ])('%s', (_, kept, more, max, expected) => {
    expect(addRowErrors(kept, more, max)).toEqual(expected);
  });
});
