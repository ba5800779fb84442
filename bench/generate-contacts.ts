/**
 * Writes a deterministic CSV of contacts for the import benchmark, shaped like a plain sheet or an Outlook export:
 * mostly unique Australian people, about 10% rows that repeat an earlier person with the phone and email written
 * another way, and about 2% rows the import must reject. Returns what a correct import of the file must report.
 *
 *   tsx bench/generate-contacts.ts [rows] [file]      (rows also from BENCH_ROWS; default 1,000,000)
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImportCounts } from '../activities/import';
import { autoMapColumns } from '../domain/import/mapping';
import { normalizePhone } from '../domain/phone';

export const HEADER = ['First Name', 'Last Name', 'Email', 'Mobile', 'Phone', 'Tags', 'Notes'] as const;
/** What the project's auto-mapper must make of HEADER, column by column, for the benchmark to mean anything. */
const EXPECTED_FIELDS = ['firstName', 'lastName', 'email', 'mobilePhone', 'phone', 'tags', 'notes'];

export const DEFAULT_ROWS = 1_000_000;
// Mobiles come from a 40-million range and landlines from a 10-million one, each a bijection of the person's number.
const MAX_ROWS = 10_000_000;
const DEFAULT_SEED = 20240611;

const INVALID_SHARE = 0.02;
const DUPLICATE_SHARE = 0.1;
/** Of the duplicates, how many bring a tag the person lacks, which makes their row an update instead of a skip. */
const DUPLICATE_WITH_NEW_TAG_SHARE = 0.3;
/** The reader samples this many records to map the columns; the same sample is checked here. */
const MAPPING_SAMPLE_ROWS = 50;
/** Every so many rows the phone cells are read back with the project's normaliser, as a check on the generator. */
const PHONE_CHECK_EVERY = 997;
const ROWS_PER_WRITE = 1000;

const FIRST_NAMES = [
  'Ada', 'Alan', 'Amelia', 'Ava', 'Ben', 'Charlotte', 'Chloe', 'Daniel', 'Ella', 'Emily', 'Ethan', 'Grace', 'Harper',
  'Henry', 'Isla', 'Jack', 'James', 'Jessica', 'Liam', 'Lucas', 'Mason', 'Mia', 'Noah', 'Olivia', 'Oliver', 'Priya',
  'Ruby', 'Sophie', 'Thomas', 'William', 'Zara', 'Mei', 'Aroha', 'Siobhan', 'Zoë', 'José',
];
const LAST_NAMES = [
  'Anderson', 'Brown', 'Campbell', 'Chen', 'Clarke', 'Davies', 'Edwards', 'Evans', 'Harris', 'Jones', 'Kelly', 'Khan',
  'King', 'Lee', 'Martin', 'Mitchell', 'Nguyen', 'Patel', 'Robinson', 'Ryan', 'Singh', 'Smith', 'Taylor', 'Thompson',
  'Walker', 'White', 'Williams', 'Wilson', 'Wright', 'Young', "O'Brien", 'Smith-Jones', 'McDonald', 'Tran',
];
const EMAIL_DOMAINS = ['gmail.com', 'outlook.com', 'bigpond.com', 'icloud.com', 'yahoo.com.au', 'optusnet.com.au'];
const TAGS = ['VIP', 'Newsletter', 'Returning', 'Referral', 'Telehealth', 'Overdue'];
// Commas, line breaks and quotes, so that the CSV has quoted fields that span lines.
const NOTES = [
  'Prefers SMS, not calls',
  'Allergic to penicillin.\nCheck before prescribing',
  'Referred by "Dr Smith", Bondi clinic',
  'Call after 3pm',
  'Moved from Perth, 2023.\nNew address to confirm,\nask at next visit',
  'Pays by invoice; 30 days',
];

/** What a correct import of the generated file reports, and how the rows were made. */
export interface GeneratedContacts {
  file: string;
  rows: number;
  bytes: number;
  seed: number;
  /** Distinct people: each must become exactly one contact. */
  people: number;
  duplicates: { total: number; withNewTag: number };
  invalid: { total: number; noName: number; badPhone: number; badEmail: number };
  expected: ImportCounts;
}

interface Person {
  firstName: string;
  lastName: string;
  /** National digits, 04xxxxxxxx. */
  mobile?: string;
  email?: string;
  /** National digits, 029xxxxxxx. */
  landline?: string;
  tags: string[];
  notes?: string;
}

type Row = [first: string, last: string, email: string, mobile: string, phone: string, tags: string, notes: string];

/** mulberry32: small, fast and good enough to make test data; seeded so that every run writes the same file. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's finaliser: spreads (seed, n) over 32 bits, so that each person gets a random stream of its own. */
function mix(seed: number, n: number): number {
  let h = (seed ^ Math.imul(n, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Person number n, always the same for the same seed, so that a duplicate row can rebuild the person it repeats
 * without the generator keeping a million people in memory. Mobiles 040x-043x (every number valid for
 * libphonenumber's AU metadata) and Sydney landlines 029x xxxx are bijections of n: unique while n < MAX_ROWS.
 */
function personNumber(seed: number, n: number): Person {
  const random = seededRandom(mix(seed, n));
  const firstName = pick(random, FIRST_NAMES);
  const lastName = pick(random, LAST_NAMES);
  const reach = random();
  // Most people have both a mobile and an email; some only one of them.
  const hasMobile = reach < 0.92;
  const hasEmail = reach < 0.8 || reach >= 0.92;
  const localPart = `${firstName}.${lastName}`.normalize('NFD').replace(/[^A-Za-z.]/g, '').toLowerCase();
  const tagCount = Math.floor(random() * 3);
  const tags = [...new Set(Array.from({ length: tagCount }, () => pick(random, TAGS)))];
  return {
    firstName,
    lastName,
    ...(hasMobile && { mobile: `04${pad((n * 7_368_787 + 1_234_567) % 40_000_000, 8)}` }),
    ...(hasEmail && { email: `${localPart}${n}@${pick(random, EMAIL_DOMAINS)}` }),
    ...(random() < 0.15 && { landline: `029${pad((n * 3_000_017 + 99) % 10_000_000, 7)}` }),
    tags,
    ...(random() < 0.1 && { notes: pick(random, NOTES) }),
  };
}

const e164OfNational = (national: string) => `+61${national.slice(1)}`;

/** How people write 0412 345 678. The first two are how originals are written; duplicates use any other. */
const MOBILE_FORMATS: readonly ((d: string) => string)[] = [
  (d) => `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}`,
  (d) => d,
  (d) => `+61 ${d.slice(1, 4)} ${d.slice(4, 7)} ${d.slice(7)}`,
  (d) => `(${d.slice(0, 2)}) ${d.slice(2, 6)} ${d.slice(6)}`,
  (d) => `0061${d.slice(1)}`,
  (d) => `${d.slice(0, 4)}-${d.slice(4, 7)}-${d.slice(7)}`,
  (d) => `+61${d.slice(1)}`,
];
const formatLandline = (d: string) => `(${d.slice(0, 2)}) ${d.slice(2, 6)} ${d.slice(6)}`;

/** The same address in another case or with stray spaces: the email normaliser must see one address. */
const EMAIL_VARIANTS: readonly ((email: string) => string)[] = [
  (email) => email.toUpperCase(),
  (email) => `  ${email} `,
  (email) => email.replace(/(^|[.@])([a-z])/g, (_, before: string, letter: string) => before + letter.toUpperCase()),
];

function tagsCell(random: () => number, tags: readonly string[]): string {
  // Mostly "A;B", sometimes "A, B" (quoted in the file) as people type them.
  return tags.join(random() < 0.8 ? ';' : ', ');
}

function originalRow(random: () => number, person: Person, formatIndex: number): Row {
  const mobileFormat = MOBILE_FORMATS[formatIndex] as (d: string) => string;
  return [
    person.firstName,
    person.lastName,
    person.email ?? '',
    person.mobile ? mobileFormat(person.mobile) : '',
    person.landline ? formatLandline(person.landline) : '',
    tagsCell(random, person.tags),
    person.notes ?? '',
  ];
}

/**
 * The person again, with nothing new unless `newTag`: the phone in another format (sometimes in the Phone column),
 * the email in another case, and at least one of them, so the row can only be matched to that person.
 */
function duplicateRow(random: () => number, person: Person, newTag: string | undefined): Row {
  const both = person.mobile !== undefined && person.email !== undefined;
  const which = random();
  const withMobile = person.mobile !== undefined && (!both || which < 0.85);
  const withEmail = person.email !== undefined && (!both || which < 0.6 || which >= 0.85);
  const mobile = withMobile ? (pick(random, MOBILE_FORMATS.slice(2)) as (d: string) => string)(person.mobile as string) : '';
  const inPhoneColumn = random() < 0.1;
  // Known tags in another case add nothing; a new tag is the one thing a duplicate may add.
  const knownTags = random() < 0.5 ? person.tags.map((t) => t.toLowerCase()) : [];
  return [
    person.firstName,
    person.lastName,
    withEmail ? pick(random, EMAIL_VARIANTS)(person.email as string) : '',
    inPhoneColumn ? '' : mobile,
    inPhoneColumn ? mobile : '',
    tagsCell(random, newTag === undefined ? knownTags : [...knownTags, newTag]),
    '',
  ];
}

type InvalidKind = 'noName' | 'badPhone' | 'badEmail';

/** Rows the import must fail: no name; a phone that is no number and no email; a broken email and no phone. */
function invalidRow(random: () => number, kind: InvalidKind, rowIndex: number): Row {
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  switch (kind) {
    case 'noName':
      // Its own numbers (045x, used by nobody else) so that it could not merge into anyone were it read as valid.
      return ['', '', `unnamed${rowIndex}@example.net`, `0450 ${pad(rowIndex % 1_000_000, 6).replace(/^(\d{3})/, '$1 ')}`, '', '', ''];
    case 'badPhone':
      return [first, last, '', '12345', '', '', ''];
    case 'badEmail':
      return [first, last, pick(random, [`${first}.${last}.at.example.com`, `${first}@@example.com`, `${first} ${last}@example.com`, `${first}@localhost`]), '', '', '', ''];
  }
}

function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const csvLine = (cells: readonly string[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** Fails loudly when the project's auto-mapper would not read HEADER as the benchmark means it. */
export function checkColumnMapping(sample: readonly (readonly string[])[]): void {
  const mapping = autoMapColumns([...HEADER], sample);
  const wrong = mapping.filter((m, i) => m.field !== EXPECTED_FIELDS[i]);
  if (wrong.length > 0) {
    throw new Error(
      `the auto-mapper does not map the benchmark's columns as expected: ${wrong
        .map((m) => `"${m.header}" → ${m.field} (expected ${EXPECTED_FIELDS[m.column]}; ${m.reason})`)
        .join('; ')}`,
    );
  }
}

/** The row's phone cell must read as the person's number, else the file would not test what it claims. */
function checkPhoneCell(cell: string, national: string, rowIndex: number): void {
  const result = normalizePhone(cell, 'AU');
  const expected = e164OfNational(national);
  if (!result.ok || result.e164 !== expected) {
    throw new Error(`generator: row ${rowIndex + 1} phone '${cell}' reads as ${result.ok ? result.e164 : result.reason}, expected ${expected}`);
  }
}

export function rowsFromEnvironment(argument?: string): number {
  const text = argument ?? process.env.BENCH_ROWS;
  if (text === undefined || text.trim() === '') return DEFAULT_ROWS;
  const rows = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS) {
    throw new Error(`rows must be a whole number from 1 to ${MAX_ROWS.toLocaleString('en')}, got '${text}'`);
  }
  return rows;
}

/** Streams the file to disk, a thousand rows per write, waiting whenever the disk is behind. */
export async function generateContacts(options: { file: string; rows: number; seed?: number }): Promise<GeneratedContacts> {
  const { file, rows } = options;
  const seed = options.seed ?? DEFAULT_SEED;
  if (rows > MAX_ROWS) throw new Error(`at most ${MAX_ROWS} rows`);
  const random = seededRandom(seed);
  const duplicated = new Uint8Array(rows);
  let people = 0;
  const duplicates = { total: 0, withNewTag: 0 };
  const invalid = { total: 0, noName: 0, badPhone: 0, badEmail: 0 };

  function nextRow(rowIndex: number): Row {
    const roll = random();
    if (roll < INVALID_SHARE) {
      const kind = pick<InvalidKind>(random, ['noName', 'badPhone', 'badEmail']);
      invalid.total += 1;
      invalid[kind] += 1;
      return invalidRow(random, kind, rowIndex);
    }
    if (roll < INVALID_SHARE + DUPLICATE_SHARE && people > 0) {
      // Each person is repeated at most once, so that whether a repeat adds anything is known here.
      for (let attempt = 0; attempt < 4; attempt++) {
        const target = Math.floor(random() * people);
        if (duplicated[target]) continue;
        duplicated[target] = 1;
        const person = personNumber(seed, target);
        const missingTags = TAGS.filter((tag) => !person.tags.includes(tag));
        const newTag = random() < DUPLICATE_WITH_NEW_TAG_SHARE ? pick(random, missingTags) : undefined;
        duplicates.total += 1;
        if (newTag !== undefined) duplicates.withNewTag += 1;
        const row = duplicateRow(random, person, newTag);
        const mobileCell = row[3] || row[4];
        if (person.mobile && mobileCell && rowIndex % PHONE_CHECK_EVERY === 0) checkPhoneCell(mobileCell, person.mobile, rowIndex);
        return row;
      }
    }
    const person = personNumber(seed, people);
    people += 1;
    const row = originalRow(random, person, random() < 0.8 ? 0 : 1);
    if (person.mobile && rowIndex % PHONE_CHECK_EVERY === 0) checkPhoneCell(row[3], person.mobile, rowIndex);
    if (person.landline && rowIndex % PHONE_CHECK_EVERY === 0) checkPhoneCell(row[4], person.landline, rowIndex);
    return row;
  }

  // The mapping is checked on the reader's sample before the rest of the file is written.
  const firstRows = Array.from({ length: Math.min(rows, MAPPING_SAMPLE_ROWS) }, (_, i) => nextRow(i));
  checkColumnMapping(firstRows);

  const out = createWriteStream(file);
  const closed = once(out, 'close');
  try {
    let batch = csvLine(HEADER) + firstRows.map(csvLine).join('');
    for (let i = firstRows.length; i < rows; i++) {
      batch += csvLine(nextRow(i));
      if ((i + 1) % ROWS_PER_WRITE === 0) {
        if (!out.write(batch)) await once(out, 'drain');
        batch = '';
      }
    }
    out.end(batch);
    await closed;
  } catch (error) {
    out.destroy();
    throw error;
  }

  return {
    file,
    rows,
    bytes: out.bytesWritten,
    seed,
    people,
    duplicates,
    invalid,
    expected: {
      created: people,
      updated: duplicates.withNewTag,
      skipped: duplicates.total - duplicates.withNewTag,
      failed: invalid.total,
    },
  };
}

async function main(): Promise<void> {
  const rows = rowsFromEnvironment(process.argv[2]);
  const file = path.resolve(process.argv[3] ?? path.join(os.tmpdir(), `switchboard-contacts-${rows}.csv`));
  const started = performance.now();
  const generated = await generateContacts({ file, rows });
  process.stdout.write(`${JSON.stringify({ ...generated, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`generate-contacts: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
