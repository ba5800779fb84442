import { describe, expect, it } from 'vitest';
import { KeyFilter } from '../../domain/key-filter';

const emails = (from: number, count: number) => Array.from({ length: count }, (_, i) => `email:person${from + i}@example.com`);
const phones = (from: number, count: number) => Array.from({ length: count }, (_, i) => `phone:+614${String(10_000_000 + from + i).slice(1)}`);
const falseShare = (filter: KeyFilter, absent: string[]) => absent.filter((key) => filter.mayHold(key)).length / absent.length;

describe('KeyFilter', () => {
  it.each([
    { name: 'emails, sized for them', expected: 40_000, added: [...emails(0, 40_000)], absent: emails(40_000, 40_000), atMost: 0.015 },
    { name: 'phones, sized for them', expected: 40_000, added: [...phones(0, 40_000)], absent: phones(40_000, 40_000), atMost: 0.015 },
    { name: 'keys far beyond its first capacity', expected: 10, added: [...emails(0, 30_000), ...phones(0, 30_000)], absent: [...emails(30_000, 20_000), ...phones(30_000, 20_000)], atMost: 0.04 },
  ])('never misses a key it was given, and rarely claims one it was not: $name', ({ expected, added, absent, atMost }) => {
    const filter = new KeyFilter(expected);
    for (const key of added) filter.add(key);
    expect(added.filter((key) => !filter.mayHold(key))).toEqual([]);
    expect(filter.size).toBe(added.length);
    expect(falseShare(filter, absent)).toBeLessThan(atMost);
  });

  it('holds nothing when empty, and tells an email from a phone with the same text', () => {
    const filter = new KeyFilter(0);
    expect(emails(0, 1000).some((key) => filter.mayHold(key))).toBe(false);
    filter.add('email:+61412345678');
    expect(filter.mayHold('email:+61412345678')).toBe(true);
    expect(filter.mayHold('phone:+61412345678')).toBe(false);
  });
});
