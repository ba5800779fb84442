// Copy-paste from web pages and Word documents carries invisible zero-width characters and byte-order marks.
const INVISIBLE_CHARACTERS = /[\u200B-\u200D\u2060\uFEFF]/g;

// Formula-safe exports put an apostrophe before a cell that a spreadsheet would run as a formula (=, +, -, @, a tab or
// a carriage return), and some before numbers so that their leading zeros survive. None puts one before a letter,
// where it is part of the value: 't Hooft, 's-Hertogenbosch.
const EXPORT_APOSTROPHE = /^'(?!\p{L})/u;

/** Whether the text starts with an apostrophe that an export added, and that the import therefore takes away. */
export function hasExportApostrophe(text: string): boolean {
  return EXPORT_APOSTROPHE.test(text);
}

/**
 * The cell's value without what exports and copy-paste add to it, its accented letters composed (see `composed`).
 * `anyApostrophe` is for values that never start with an apostrophe of their own (emails, phone numbers), before which
 * some exports put one whatever follows.
 */
export function stripExportArtifacts(raw: string, options: { anyApostrophe?: boolean } = {}): string {
  const visible = raw.replace(INVISIBLE_CHARACTERS, '').trim();
  const exported = options.anyApostrophe ? visible.startsWith("'") : hasExportApostrophe(visible);
  return composed(exported ? visible.slice(1).trim() : visible);
}

const NON_ASCII = /[\u0080-\uFFFF]/;

/**
 * The text with its accented letters composed (NFC). macOS apps save "ë" as "e" and a combining diaeresis (NFD): read
 * so, an email's local part holds a mark that is no letter, and one person's name differs from itself. ASCII text,
 * nearly every cell, has nothing to compose and is not normalised.
 */
export function composed(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFC') : text;
}

// What people and systems write in a cell that has no value: dashes, a dot, "N/A" (Excel's "#N/A"), "none", "null",
// "nil". Not "NA", which is also Namibia's country code and a family name, nor "TBC" and "TBA", which say a value is
// to come and may be kept on purpose (as a tag, say).
const PLACEHOLDERS: ReadonlySet<string> = new Set(['-', '--', '---', '\u2013', '\u2014', '.', 'n/a', '#n/a', 'n.a.', 'none', 'null', 'nil']);
const LONGEST_PLACEHOLDER = Math.max(...[...PLACEHOLDERS].map((placeholder) => placeholder.length));

/** Whether a cell's value (as `stripExportArtifacts` gives it) says that there is no value, in any letter case. */
export function isPlaceholder(value: string): boolean {
  // Most cells are longer than any placeholder: only the short ones are looked up.
  return value !== '' && value.length <= LONGEST_PLACEHOLDER && PLACEHOLDERS.has(value.toLowerCase());
}

/**
 * The value with every NUL character taken out of its strings, however deep. PostgreSQL cannot store a NUL in text or
 * json, so a value holding one would fail every attempt to write it; binary junk or a mis-saved export can leave one
 * in a file, and a provider may send one. Arrays and plain objects are copied only where something changes: this runs
 * on every record of an import.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\0') ? value.replaceAll('\0', '') : value) as T;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    for (let i = 0; i < items.length; i++) {
      const cleaned = withoutNul(items[i]);
      if (cleaned !== items[i]) return [...items.slice(0, i), cleaned, ...items.slice(i + 1).map(withoutNul)] as T;
    }
    return value;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value);
    if (entries.every(([, v]) => withoutNul(v) === v)) return value;
    return Object.fromEntries(entries.map(([k, v]) => [k, withoutNul(v)])) as T;
  }
  return value;
}
