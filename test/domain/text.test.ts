import { describe, expect, it } from 'vitest';
import { isPlaceholder, stripExportArtifacts, withoutNul } from '../../domain/text';

describe('stripExportArtifacts', () => {
  it.each([
    ['plain', 'plain'],
    ['  padded  ', 'padded'],
    ["'0412345678", '0412345678'],
    ["' 0412345678", '0412345678'],
    ["''twice", "'twice"],
    ["'=1+1", '=1+1'],
    ["'+61 412 345 678", '+61 412 345 678'],
    ["'-5", '-5'],
    ["'@handle", '@handle'],
    ["o'brien", "o'brien"],
    // Before a letter the apostrophe is the value's own: Dutch names and places.
    ["'t Hooft", "'t Hooft"],
    ["'s-Hertogenbosch", "'s-Hertogenbosch"],
    ["'Élan", "'Élan"],
    ['\u200B\u200C\u200D\u2060\uFEFFvalue', 'value'],
    ['in\u200Bside', 'inside'],
    ["\uFEFF '0412 ", '0412'],
    ['', ''],
    ["'", ''],
    // As macOS apps save accented letters: a letter and a combining mark.
    ['Zoe\u0308 Ng', 'Zoë Ng'],
    ["'Ame\u0301lie", "'Amélie"],
  ])('%j → %j', (raw, expected) => {
    expect(stripExportArtifacts(raw)).toBe(expected);
  });

  it.each([
    ["'bob@example.com", 'bob@example.com'],
    ["'M: 0412 345 678", 'M: 0412 345 678'],
    ["'t Hooft", 't Hooft'],
    ['plain', 'plain'],
  ])('%j → %j for an email or a phone number, which never starts with an apostrophe', (raw, expected) => {
    expect(stripExportArtifacts(raw, { anyApostrophe: true })).toBe(expected);
  });
});

describe('isPlaceholder', () => {
  it.each(['-', '--', '---', '–', '—', '.', 'N/A', 'n/a', '#N/A', 'N.A.', 'none', 'None', 'NULL', 'nil'])('%j says there is no value', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  // "NA" is Namibia's country code and a family name; "TBC" says a value is to come.
  it.each(['', 'NA', 'Na', 'TBC', 'TBA', 'Nilsson', 'Nonie', '-5', '..', 'n/a please'])('%j is a value (or no cell at all)', (value) => {
    expect(isPlaceholder(value)).toBe(false);
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
