import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  isSupportedCountry,
  ParseError,
  type PhoneNumber,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import { stripExportArtifacts } from './text';

export type PhoneResult =
  | { ok: true; e164: string; country?: string; type?: string }
  | { ok: false; reason: string };

// Dialling prefixes people type out of habit even when they are not the default country's own
// (which libphonenumber already understands when given the default country).
const COMMON_INTERNATIONAL_PREFIX = /^(?:011|00)\s*/;

// Xero's CSV writes a number as its country code, area code and number, apart and without a + ("64 21 123 4567").
const CODE_WRITTEN_APART = /^(\d{1,3}) \d/;
const COUNTRY_CALLING_CODES: ReadonlySet<string> = new Set(getCountries().map((country) => getCountryCallingCode(country)));

// Thin, narrow no-break and other Unicode spaces come from copy-paste; libphonenumber only accepts a few.
const UNICODE_SPACES = /\p{Zs}/gu;

// A column of numbers that passed through a float (a spreadsheet, pandas) comes out as 412345678.0: the digits are
// all there. In scientific notation (4.12346E+08) they are not.
const FLOAT_ZEROS = /^(\+?\d+)\.0+$/;
const SCIENTIFIC_NOTATION = /^\+?\d(?:\.\d+)?e\+?\d+$/i;

export function isValidCountryCode(code: string): boolean {
  return isSupportedCountry(code.trim().toUpperCase());
}

export function normalizePhone(raw: string, defaultCountry?: string): PhoneResult {
  const text = stripExportArtifacts(raw, { anyApostrophe: true }).replace(UNICODE_SPACES, ' ').replace(FLOAT_ZEROS, '$1');
  if (SCIENTIFIC_NOTATION.test(text.trim())) {
    return reject(text, 'was turned into a number in scientific notation by a spreadsheet, which drops digits: format the column as text and export the file again');
  }
  let country: CountryCode | undefined;
  if (defaultCountry !== undefined) {
    const upperCased = defaultCountry.trim().toUpperCase();
    if (!isSupportedCountry(upperCased)) {
      return reject(text, `cannot be read: the default country '${defaultCountry}' is not supported`);
    }
    country = upperCased;
  }

  const viaCommonPrefix = COMMON_INTERNATIONAL_PREFIX.test(text)
    ? `+${text.replace(COMMON_INTERNATIONAL_PREFIX, '')}`
    : undefined;
  if (country === undefined) return interpret(text, viaCommonPrefix ?? text, undefined);

  // The national reading goes first: some national numbers start with 00 or 011 (Leeds is 0113 in GB).
  const national = interpret(text, text, country);
  if (national.ok) return national;
  const asInternational = viaCommonPrefix ?? (startsWithCallingCode(text) ? `+${text}` : undefined);
  if (asInternational === undefined) return national;
  const international = interpret(text, asInternational, undefined);
  return international.ok ? international : national;
}

/** "64 21 123 4567": a country's calling code, then a space. Read so only when the national reading fails. */
function startsWithCallingCode(text: string): boolean {
  const code = CODE_WRITTEN_APART.exec(text)?.[1];
  return code !== undefined && COUNTRY_CALLING_CODES.has(code);
}

function interpret(shownAs: string, text: string, defaultCountry: CountryCode | undefined): PhoneResult {
  const isInternational = text.startsWith('+');
  // A leading + overrides the default country, so parsing and reasons must not use it.
  const region = isInternational ? undefined : defaultCountry;
  let parsed: PhoneNumber;
  try {
    parsed = parsePhoneNumberWithError(text, { defaultCountry: region, extract: false });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return reject(shownAs, parseErrorReason(error.message, isInternational, region));
  }
  // With full metadata a number is valid exactly when it has a type, and finding the type is most of the cost: a type
  // found makes the check of validity (which would look for it again) unneeded.
  const type = parsed.getType();
  if (type !== undefined || parsed.isValid()) {
    return {
      ok: true,
      e164: parsed.number,
      ...(parsed.country !== undefined && { country: parsed.country }),
      ...(type !== undefined && { type }),
    };
  }
  const numberingPlan = region ?? `+${parsed.countryCallingCode}`;
  switch (validatePhoneNumberLength(text, { defaultCountry: region })) {
    case 'TOO_SHORT':
      return reject(shownAs, `is too short for ${numberingPlan}`);
    case 'TOO_LONG':
      return reject(shownAs, `is too long for ${numberingPlan}`);
    default:
      return reject(shownAs, `is not a valid number for ${numberingPlan}`);
  }
}

function parseErrorReason(code: string, isInternational: boolean, region: CountryCode | undefined): string {
  const forCountry = region === undefined ? '' : ` for ${region}`;
  switch (code) {
    case 'INVALID_COUNTRY':
      return isInternational ? 'has an unknown country code' : 'is a national number and no default country is set';
    case 'TOO_SHORT':
      return `is too short${forCountry}`;
    case 'TOO_LONG':
      return `is too long${forCountry}`;
    default:
      return 'is not a phone number';
  }
}

function reject(shownAs: string, reason: string): PhoneResult {
  return { ok: false, reason: `'${shownAs}' ${reason}` };
}

/**
 * A number kept in parts, as Xero keeps it (country code, area code, number), written as one: international when it
 * has a country code (the area code then without its trunk 0), else national. A number written whole is kept so.
 */
export function joinPhoneParts(parts: { countryCode?: string; areaCode?: string; number?: string }): string {
  const number = parts.number?.trim() ?? '';
  if (number === '') return '';
  const area = parts.areaCode?.trim() ?? '';
  const country = (parts.countryCode?.trim() ?? '').replace(/^\+/, '');
  if (number.startsWith('+')) return number;
  return country !== '' ? `+${country} ${area.replace(/^0/, '')} ${number}`.replace(/\s+/g, ' ') : `${area} ${number}`.trim();
}

// Characters a number is written with; anything else in a raw number may be an extension ("ext. 23", "#23", ",23").
const PLAIN_NUMBER = /^[\d\s()+.\-/]*$/;

/**
 * The extension written in a number as it was given (`raw`), read as libphonenumber reads it in the number's own
 * country: E.164 has no place for it, and the number is stored and exported in E.164.
 */
export function extensionOf(raw: string, e164: string): string | undefined {
  if (PLAIN_NUMBER.test(raw)) return undefined;
  try {
    const country = parsePhoneNumberWithError(e164).country;
    const parsed = parsePhoneNumberWithError(stripExportArtifacts(raw, { anyApostrophe: true }), { ...(country && { defaultCountry: country }) });
    return parsed.number === e164 ? parsed.ext : undefined;
  } catch {
    return undefined;
  }
}
