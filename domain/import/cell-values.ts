// Google Contacts puts several numbers or addresses of one kind in one cell.
const GOOGLE_MULTI_VALUE = /\s+:::\s+/;

/** An email cell's addresses: Google's " ::: " between them, or a semicolon or comma where each part is an address. */
export function splitEmails(value: string): string[] {
  if (!value.includes(';') && !value.includes(',')) return splitMultiValue(value);
  const parts = value.split(/[;,]/).map((part) => part.trim()).filter((part) => part !== '');
  return parts.length > 1 && parts.every((part) => part.includes('@')) ? parts : splitMultiValue(value);
}

/** The values of a cell that may hold several, as Google writes them: "0412 345 678 ::: 02 9876 5432". */
export function splitMultiValue(value: string): string[] {
  // Most cells hold one value: the split's regular expression is only run on those that may hold more.
  if (!value.includes(':::')) return value === '' ? [] : [value];
  return value.split(GOOGLE_MULTI_VALUE).filter((part) => part !== '');
}
