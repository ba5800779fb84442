import { describe, expect, it } from 'vitest';
import { isValidCountryCode, normalizePhone } from '../../domain/phone';

describe('normalizePhone', () => {
  it.each([
    ['0412 345 678', 'AU', '+61412345678', 'AU', 'MOBILE'],
    ['+61 412 345 678', 'AU', '+61412345678', 'AU', 'MOBILE'],
    ['(04) 1234 5678', 'AU', '+61412345678', 'AU', 'MOBILE'],
    ['0412.345.678', 'AU', '+61412345678', 'AU', 'MOBILE'],
    ['+61 (0) 412 345 678', 'AU', '+61412345678', 'AU', 'MOBILE'],
    ['02 9876 5432', 'AU', '+61298765432', 'AU', 'FIXED_LINE'],
    ['(415) 555-2671', 'US', '+14155552671', 'US', 'FIXED_LINE_OR_MOBILE'],
    ['07400 123456', 'GB', '+447400123456', 'GB', 'MOBILE'],
    ['021 123 4567', 'NZ', '+64211234567', 'NZ', 'MOBILE'],
  ])('reads %j with default %s as %s', (raw, defaultCountry, e164, country, type) => {
    expect(normalizePhone(raw, defaultCountry)).toStrictEqual({ ok: true, e164, country, type });
  });

  it.each([
    ['0061 412 345 678', 'AU', '+61412345678'],
    ['0011 44 20 7946 0958', 'AU', '+442079460958'],
    ['011 44 20 7946 0958', 'US', '+442079460958'],
    ['00 44 20 7946 0958', 'US', '+442079460958'],
    ['00 61 412 345 678', 'GB', '+61412345678'],
    ['0061 412 345 678', undefined, '+61412345678'],
    ['011 44 20 7946 0958', undefined, '+442079460958'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
  ])('honours the international dialling prefix in %j (default %s)', (raw, defaultCountry, e164) => {
    expect(normalizePhone(raw, defaultCountry)).toMatchObject({ ok: true, e164 });
  });

  // Xero's CSV writes a number as its country code, area code and number apart ("64 21 123 4567"), with no +.
  it.each([
    ['64 21 123 4567', 'AU', '+64211234567'],
    ['44 20 7946 0958', 'AU', '+442079460958'],
    ['1 415 555 0132', 'AU', '+14155550132'],
    ['61 412 345 678', 'NZ', '+61412345678'],
    ['44 20 7946 0958', 'US', '+442079460958'],
  ])('reads %j, a country code without its + before the number, when it is no national number (default %s)', (raw, defaultCountry, e164) => {
    expect(normalizePhone(raw, defaultCountry)).toMatchObject({ ok: true, e164 });
  });

  it.each([
    // The default country's own code, and national numbers that start with digits that are a country's code.
    ['61 2 9876 5432', 'AU', '+61298765432'],
    ['1800 123 456', 'AU', '+611800123456'],
    ['1 415 555 0132', 'US', '+14155550132'],
    ['02 9876 5432', 'AU', '+61298765432'],
  ])('reads %j nationally first (default %s)', (raw, defaultCountry, e164) => {
    expect(normalizePhone(raw, defaultCountry)).toMatchObject({ ok: true, e164 });
  });

  it.each([
    // No space after the code: the digits of a national number, not a code written apart.
    ['442079460958', 'AU', "'442079460958' is not a valid number for AU"],
    // Valid neither way: the national reading's reason.
    ['64 21 123', 'AU', "'64 21 123' is not a valid number for AU"],
    // 999 is no country's code.
    ['999 1234 5678', 'AU', "'999 1234 5678' is not a valid number for AU"],
  ])('rejects %j with default %s, saying why nationally', (raw, defaultCountry, reason) => {
    expect(normalizePhone(raw, defaultCountry)).toStrictEqual({ ok: false, reason });
  });

  it('reads a national number starting 011 nationally before trying it as a dialling prefix', () => {
    expect(normalizePhone('0117 496 0123', 'GB')).toStrictEqual({
      ok: true,
      e164: '+441174960123',
      country: 'GB',
      type: 'FIXED_LINE',
    });
  });

  // Spreadsheets drop the + from numbers stored as numbers. libphonenumber strips the default country's
  // calling code only when the digits are not a valid national number on their own, so this is safe.
  it('accepts the default country calling code written without its +', () => {
    expect(normalizePhone('61412345678', 'AU')).toMatchObject({ ok: true, e164: '+61412345678' });
  });

  it('does not strip another country calling code written without its +', () => {
    expect(normalizePhone('442079460958', 'AU')).toStrictEqual({
      ok: false,
      reason: "'442079460958' is not a valid number for AU",
    });
  });

  it.each([
    ["'0412345678", 'formula-safe apostrophe'],
    ['\u200B0412 345 678', 'zero-width space'],
    ['\uFEFF0412 345 678', 'byte-order mark'],
    ['04\u200C12\u200D345\u2060678', 'zero-width characters between digits'],
    ["  '0412 345 678  ", 'surrounding whitespace'],
    ['0412\u00A0345\u2009678', 'no-break and thin spaces'],
  ])('ignores export artifacts in %j (%s)', (raw) => {
    expect(normalizePhone(raw, 'AU')).toMatchObject({ ok: true, e164: '+61412345678' });
  });

  it.each(['0412 345 678 x123', '0412 345 678 ext. 12', '+61412345678;ext=5'])(
    'drops the extension from %j',
    (raw) => {
      expect(normalizePhone(raw, 'AU')).toMatchObject({ ok: true, e164: '+61412345678' });
    },
  );

  it.each([
    ['au', 'lower case'],
    [' AU ', 'padded'],
  ])('accepts the default country %j (%s)', (defaultCountry) => {
    expect(normalizePhone('0412 345 678', defaultCountry)).toMatchObject({ ok: true, e164: '+61412345678' });
  });

  it.each([
    ['412345678.0', 'AU', '+61412345678'],
    ['0412345678.00', 'AU', '+61412345678'],
    ['61412345678.0', 'AU', '+61412345678'],
    ['+61412345678.0', undefined, '+61412345678'],
  ])('reads %j, a number that passed through a float, with its digits (default %s)', (raw, defaultCountry, e164) => {
    expect(normalizePhone(raw, defaultCountry)).toMatchObject({ ok: true, e164 });
  });

  it('omits country for non-geographic numbers', () => {
    expect(normalizePhone('+800 1234 5678')).toStrictEqual({ ok: true, e164: '+80012345678', type: 'TOLL_FREE' });
  });

  it.each([
    ['abc', 'AU', "'abc' is not a phone number"],
    ['', 'AU', "'' is not a phone number"],
    ['\u200B', 'AU', "'' is not a phone number"],
    ['0412-abc', 'AU', "'0412-abc' is not a phone number"],
    [
      '4.41235E+11',
      'GB',
      "'4.41235E+11' was turned into a number in scientific notation by a spreadsheet, which drops digits: format the column as text and export the file again",
    ],
    [
      '6.14123E+10',
      'AU',
      "'6.14123E+10' was turned into a number in scientific notation by a spreadsheet, which drops digits: format the column as text and export the file again",
    ],
    ['412345678.5', 'AU', "'412345678.5' is not a valid number for AU"],
    ['call 0412 345 678', 'AU', "'call 0412 345 678' is not a phone number"],
    ['1-800-FLOWERS', 'US', "'1-800-FLOWERS' is not a phone number"],
    ['+999 1234', 'AU', "'+999 1234' has an unknown country code"],
    ['0412345678', undefined, "'0412345678' is a national number and no default country is set"],
    ['1234', 'AU', "'1234' is too short for AU"],
    ['1', 'AU', "'1' is too short for AU"],
    ['+61412', 'AU', "'+61412' is too short for +61"],
    ['+61 4', 'AU', "'+61 4' is too short"],
    ['04123456789999', 'AU', "'04123456789999' is too long for AU"],
    ['0412 345', 'AU', "'0412 345' is not a valid number for AU"],
    // Possible by length in AU but no valid AU number is that short.
    ['12345', 'AU', "'12345' is not a valid number for AU"],
    ['0412 345 6789', 'AU', "'0412 345 6789' is not a valid number for AU"],
    ['+61 412 345 678 999', 'AU', "'+61 412 345 678 999' is not a valid number for +61"],
    ["'0412 345", 'AU', "'0412 345' is not a valid number for AU"],
    ['0061 412 345', 'AU', "'0061 412 345' is not a valid number for AU"],
    // Ofcom reserves 07700 900xxx for drama: possible, but never valid.
    ['07700 900123', 'GB', "'07700 900123' is not a valid number for GB"],
    ['0412345678', 'ZZ', "'0412345678' cannot be read: the default country 'ZZ' is not supported"],
  ])('rejects %j with default %s', (raw, defaultCountry, reason) => {
    expect(normalizePhone(raw, defaultCountry)).toStrictEqual({ ok: false, reason });
  });
});

describe('isValidCountryCode', () => {
  it.each([
    ['AU', true],
    ['au', true],
    ['GB', true],
    ['XK', true],
    ['UK', false],
    ['ZZ', false],
    ['AUS', false],
    ['', false],
  ])('%j → %s', (code, expected) => {
    expect(isValidCountryCode(code)).toBe(expected);
  });
});

describe('libphonenumber-js as installed (patches/)', () => {
  it('builds under 4 regular expressions per number, not one per metadata pattern it checks (a dozen unpatched)', () => {
    const numbers = Array.from({ length: 200 }, (_, i) => `04${String(10_000_000 + i * 37_813).slice(-8)}`);
    for (const number of numbers) normalizePhone(number, 'AU');
    const NativeRegExp = globalThis.RegExp;
    let constructed = 0;
    globalThis.RegExp = new Proxy(NativeRegExp, {
      construct(target, args: [string, string?]) {
        constructed += 1;
        return new target(...args);
      },
    });
    try {
      for (const number of numbers) expect(normalizePhone(number, 'AU').ok).toBe(true);
    } finally {
      globalThis.RegExp = NativeRegExp;
    }
    // Unpatched, every number costs a dozen or so; the few left per number are the library's other, cheaper ones.
    expect(constructed / numbers.length).toBeLessThan(4);
  });
});
