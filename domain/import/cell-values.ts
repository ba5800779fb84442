// Google Contacts puts several numbers or addresses of one kind in one cell.
const GOOGLE_MULTI_VALUE = /\s+:::\s+/;

// What people write between two addresses in one cell: a semicolon, a comma, a slash or "or" between spaces. None of
// them can be within an address, but a comma can be within the name written before one ("Citizen, Jane <jane@…>").
const EMAIL_SEPARATORS = /[;,]|\s(?:\/|or)\s/i;

/**
 * An email cell's addresses: Google's " ::: " between them, or a semicolon, comma, " / " or " or " where each part is
 * an address.
 */
export function splitEmails(value: string): string[] {
  // Most cells hold one address and no space: the regular expression is only run on those that may hold more.
  const mayHoldSeveral = value.includes(';') || value.includes(',') || (value.includes(' ') && EMAIL_SEPARATORS.test(value));
  if (!mayHoldSeveral) return splitMultiValue(value);
  const parts = value.split(EMAIL_SEPARATORS).map((part) => part.trim()).filter((part) => part !== '');
  return parts.length > 1 && parts.every((part) => part.includes('@')) ? parts : splitMultiValue(value);
}

/** The values of a cell that may hold several, as Google writes them: "0412 345 678 ::: 02 9876 5432". */
export function splitMultiValue(value: string): string[] {
  // Most cells hold one value: the split's regular expression is only run on those that may hold more.
  if (!value.includes(':::')) return value === '' ? [] : [value];
  return value.split(GOOGLE_MULTI_VALUE).filter((part) => part !== '');
}
