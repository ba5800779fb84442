import { isPlaceholder } from '../text';

// Google Contacts puts several numbers or addresses of one kind in one cell.
const GOOGLE_MULTI_VALUE = /\s+:::\s+/;

// What people write between two values of one cell: a semicolon, a comma, a slash or "or" between spaces. None of
// them can be within an address or a number; a slash without spaces can ("N/A" is one value).
const VALUE_SEPARATORS = /\s*(?:[;,]|\s\/\s|\sor\s)\s*/i;
// Most cells hold one value: the split's regular expression is only run on those that may hold more.
const MAY_HOLD_SEVERAL = /[;,/]| or /i;

/** A cell's values as written between separators ("0412 345 678 after 5pm / 02 9876 5432"), or the cell alone. */
export function valuesWrittenApart(value: string): string[] {
  if (!MAY_HOLD_SEVERAL.test(value)) return [value];
  return value.split(VALUE_SEPARATORS).filter((part) => part.trim() !== '');
}

/**
 * An email cell's addresses: Google's " ::: " between them, or a semicolon, comma, " / " or " or " where each part is
 * an address, a placeholder beside one ("ada@example.com / -") saying there is no other.
 */
export function splitEmails(value: string): string[] {
  const written = valuesWrittenApart(value).map((part) => part.trim());
  if (written.length < 2) return splitMultiValue(value);
  const parts = written.filter((part) => !isPlaceholder(part));
  return parts.length > 0 && parts.every((part) => part.includes('@')) ? parts : splitMultiValue(value);
}

/**
 * The cell without the placeholders written beside its values ("N/A / 0412 345 678", "0412 345 678; -"), its values
 * joined by " / ": as written when it has none.
 */
export function withoutPlaceholderParts(value: string): string {
  const parts = valuesWrittenApart(value);
  if (parts.length < 2) return value;
  const kept = parts.filter((part) => !isPlaceholder(part.trim()));
  return kept.length === parts.length || kept.length === 0 ? value : kept.join(' / ');
}

/** The values of a cell that may hold several, as Google writes them: "0412 345 678 ::: 02 9876 5432". */
export function splitMultiValue(value: string): string[] {
  // Most cells hold one value: the split's regular expression is only run on those that may hold more.
  if (!value.includes(':::')) return value === '' ? [] : [value];
  return value.split(GOOGLE_MULTI_VALUE).filter((part) => part !== '');
}
