import { describe, expect, it } from 'vitest';
import { KeyFilter } from '../../domain/key-filter';

const emails = (n: number, domain: string) => Array.from({ length: n }, (_, i) => `email:person.${i}.${(i * 7919) % 104_729}@${domain}`);
const phones = (n: number, from: number) => Array.from({ length: n }, (_, i) => `phone:+614${String(from + i).padStart(8, '0')}`);

describe('KeyFilter', () => {
  it('holds nothing when empty', () => {
    const filter = new KeyFilter();
    expect(filter.mayHold('email:a@b.c')).toBe(false);
    expect(filter.size).toBe(0);
    expect(filter.bytes).toBe(0);
  });

  it.each([
    ['within its first stage', 1_000, 65_536],
    ['over several stages', 50_000, 1_024],
    ['many stages from a tiny first one', 20_000, 16],
  ])('never forgets a key it was given: %s', (_, count, initialCapacity) => {
    const filter = new KeyFilter({ initialCapacity });
    const given = [...emails(count / 2, 'example.com'), ...phones(count / 2, 10_000_000)];
    for (const key of given) filter.add(key);
    expect(given.filter((key) => !filter.mayHold(key))).toEqual([]);
    expect(filter.size).toBe(count);
  });

  it.each([
    // [keys given, first stage's capacity, its false-positive rate, most false positives allowed among 100,000 others]
    [10_000, 65_536, 0.005, 0.005],
    [200_000, 16_384, 0.005, 0.01],
    [200_000, 16_384, 0.02, 0.04],
  ])('answers "maybe" for few keys it was not given: %i keys, first stage %i at %f', (count, initialCapacity, falsePositiveRate, allowed) => {
    const filter = new KeyFilter({ initialCapacity, falsePositiveRate });
    for (const key of [...emails(count / 2, 'example.com'), ...phones(count / 2, 10_000_000)]) filter.add(key);
    const others = [...emails(50_000, 'example.org'), ...phones(50_000, 20_000_000)];
    const falsePositives = others.filter((key) => filter.mayHold(key)).length;
    expect(falsePositives / others.length).toBeLessThanOrEqual(allowed);
  });

  it('tells a key from one a character apart', () => {
    const filter = new KeyFilter();
    filter.add('phone:+61412345678');
    expect(filter.mayHold('phone:+61412345678')).toBe(true);
    expect(['phone:+61412345679', 'phone:+6141234567', 'email:+61412345678', 'phone:+61412345678 '].filter((key) => filter.mayHold(key))).toEqual([]);
  });

  it('stays small: a million keys in a few megabytes', () => {
    const filter = new KeyFilter();
    for (const key of phones(1_000_000, 30_000_000)) filter.add(key);
    expect(filter.bytes).toBeLessThan(4 * 1024 * 1024);
    expect(filter.mayHold('phone:+61430000000')).toBe(true);
  });
});
