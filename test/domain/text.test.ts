import { describe, expect, it } from 'vitest';
import { stripExportArtifacts, withoutNul } from '../../domain/text';

describe('stripExportArtifacts', () => {
  it.each([
    ['plain', 'plain'],
    ['  padded  ', 'padded'],
    ["'0412345678", '0412345678'],
    ["' 0412345678", '0412345678'],
    ["''twice", "'twice"],
    ["o'brien", "o'brien"],
    ['\u200B\u200C\u200D\u2060\uFEFFvalue', 'value'],
    ['in\u200Bside', 'inside'],
    ["\uFEFF 'value ", 'value'],
    ['', ''],
    ["'", ''],
  ])('%j → %j', (raw, expected) => {
    expect(stripExportArtifacts(raw)).toBe(expected);
  });
});

describe('withoutNul', () => {
  it.each<[string, unknown, unknown]>([
    ['a string', 'a\u0000b\u0000', 'ab'],
    ['an array, deep', ['x', ['y\u0000'], 'z'], ['x', ['y'], 'z']],
    ['a plain object, deep', { name: 'A\u0000da', address: { city: '\u0000Sydney' }, phones: [{ raw: '04\u000012' }] }, { name: 'Ada', address: { city: 'Sydney' }, phones: [{ raw: '0412' }] }],
    ['numbers, booleans, null, undefined', [1, true, null, undefined], [1, true, null, undefined]],
  ])('takes NUL characters out of %s', (_, input, expected) => {
    expect(withoutNul(input)).toEqual(expected);
  });

  it('returns the very value when it holds no NUL, so that a clean record costs no copy', () => {
    const record = ['Ada', 'Lovelace', ''];
    const contact = { firstName: 'Ada', phones: [{ raw: '0412' }] };
    expect(withoutNul(record)).toBe(record);
    expect(withoutNul(contact)).toBe(contact);
  });

  it('leaves a Date and other class instances as they are', () => {
    const when = new Date(0);
    expect(withoutNul({ when }).when).toBe(when);
  });
});
