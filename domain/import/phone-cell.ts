import type { PhoneType } from './rows';

/**
 * A phone number as written within a longer cell: digits with spaces, dots, hyphens or brackets between, perhaps a +,
 * perhaps an extension after it (`x23`, `ext. 23`), which the number keeps. The extension stops where digits stop:
 * one that ran on into the next number would take its first digits.
 */
const NUMBER_IN_CELL = /\+?\(?\d(?:[\d\s().-]*\d)?(?:\s*(?:ext\.?|extension|x)\s*\d{1,6}(?!\s*\d))?/gi;
const LABEL_PUNCTUATION = /[\s:;,/|()[\].#-]+/g;
// "0412 345 678 or 02 9876 5432": a word between two numbers that is a separator, not a label.
const OR_BETWEEN = /(?:^| )or(?: |$)/g;

// Labels people write beside a number in one cell ("M: 0412 345 678", "02 9876 5432 (w)"), with the kind each says.
// "Phone" and its like say nothing of the kind: the column or the number is asked.
const PHONE_TYPE_OF_CELL_LABEL = new Map<string, PhoneType | undefined>([
  ...['m', 'mob', 'mobile', 'c', 'cell', 'cellphone'].map((label) => [label, 'mobile'] as const),
  ...['w', 'wk', 'work', 'b', 'bus', 'business', 'o', 'office', 'direct', 'ddi'].map((label) => [label, 'work'] as const),
  ...['h', 'hm', 'home'].map((label) => [label, 'home'] as const),
  ...['f', 'fax'].map((label) => [label, 'fax'] as const),
  ['other', 'other'],
  ...['p', 'ph', 'phone', 't', 'tel', 'telephone', 'main'].map((label) => [label, undefined] as const),
]);

export type NumberWrittenInCell = { text: string; type?: PhoneType };

/**
 * The numbers written in one cell, when what lies between them is only separators (`0412 345 678 / 02 9876 5432`,
 * with `;`, `,` or `or` too) or labels that say what each one is: before each number (`M: 0412 345 678 W: 02 9876 5432`,
 * or QuickBooks' contact list's "Phone: … Mobile: …") or after each one (`0412 345 678 (mobile)`). Undefined for a
 * cell of one number and nothing else, and for a cell with any other words: what the numbers are is then not known.
 */
export function numbersWrittenInCell(value: string): NumberWrittenInCell[] | undefined {
  const runs = [...value.matchAll(NUMBER_IN_CELL)];
  const first = runs[0];
  if (first === undefined) return undefined;
  // The text around the numbers: before the first, between each two, and after the last.
  const ends = runs.map((run) => run.index + run[0].length);
  const around = [value.slice(0, first.index), ...runs.slice(1).map((run, i) => value.slice(ends[i], run.index)), value.slice(ends.at(-1))];
  const last = around.length - 1;
  const labels = around.map((text, i) => {
    const label = text.replace(LABEL_PUNCTUATION, ' ').trim().toLowerCase();
    return i === 0 || i === last ? label : label.replace(OR_BETWEEN, ' ').trim();
  });
  if (labels.some((label) => label !== '' && !PHONE_TYPE_OF_CELL_LABEL.has(label))) return undefined;
  // Labels stand before the numbers when the first one has one, else after them.
  const before = labels[0] !== '';
  if (before && labels.at(-1) !== '') return undefined;
  if (runs.length === 1 && labels.every((label) => label === '')) return undefined;
  return runs.map((run, i) => {
    const type = PHONE_TYPE_OF_CELL_LABEL.get(labels[before ? i : i + 1] as string);
    return { text: run[0], ...(type !== undefined && { type }) };
  });
}

const NUMBER_AT_START = new RegExp(`^(?:${NUMBER_IN_CELL.source})`, 'i');
// What may stand between a number and the words after it: "0412 345 678, after 5pm", "… - mornings".
const BEFORE_WORDS = /^[\s,;:-]+/;
const STARTS_WITH_WORDS = /^[\p{L}([]/u;

/**
 * A cell that starts with one number and goes on in words, a remark on it (`0412 345 678 after 5pm`, `… (after
 * hours)`): the number, with its extension (`02 9876 5448 ext 5, mornings`), and the words. Undefined for a cell
 * that starts with words, or goes on in more digits and signs.
 */
export function numberBeforeWords(value: string): { text: string; words: string } | undefined {
  const number = NUMBER_AT_START.exec(value)?.[0];
  if (number === undefined) return undefined;
  const words = value.slice(number.length).replace(BEFORE_WORDS, '').trim();
  // Words that hold another number are no remark: "0412 345 678 after 5pm / 0412 345 679" is two numbers.
  return STARTS_WITH_WORDS.test(words) && !ANOTHER_NUMBER.test(words) ? { text: number.trim(), words } : undefined;
}

const ANOTHER_NUMBER = /(?:\d[\s().-]*){6}/;
