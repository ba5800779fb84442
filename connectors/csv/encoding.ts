import chardet from 'chardet';
import iconv from 'iconv-lite';
import { isAscii, isUtf8 as isCompleteUtf8 } from 'node:buffer';

export interface DetectedEncoding {
  /** 'utf-8', 'utf-16le', 'utf-16be' or another name iconv-lite decodes, such as 'windows-1252'. */
  encoding: string;
  /** Bytes of byte-order mark at the start of the sample, to skip before decoding. */
  bom: number;
  reason: string;
}

const BYTE_ORDER_MARKS = [
  { encoding: 'utf-8', bytes: Buffer.from([0xef, 0xbb, 0xbf]) },
  { encoding: 'utf-16le', bytes: Buffer.from([0xff, 0xfe]) },
  { encoding: 'utf-16be', bytes: Buffer.from([0xfe, 0xff]) },
] as const;

// Excel on Windows saves "CSV" in the system code page, which for Western languages is windows-1252; chardet names it
// ISO-8859-1, which differs only in 0x80-0x9F, where windows-1252 has € and the curly quotes. chardet's ASCII or UTF-8
// for a sample that is not valid UTF-8 means stray high bytes, which windows-1252 reads best too.
const EXCEL_ENCODING = 'windows-1252';
const READ_AS_EXCEL_ENCODING = new Set(['iso-8859-1', 'ascii', 'utf-8']);

/** Files people pick instead of the CSV they meant, by how they start. */
const NOT_TEXT = [
  { starts: Buffer.from('PK\x03\x04', 'latin1'), what: 'an Excel workbook (.xlsx) or another ZIP archive' },
  { starts: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), what: 'an old Excel workbook (.xls) or another Office document' },
  { starts: Buffer.from('%PDF-', 'latin1'), what: 'a PDF document' },
  { starts: Buffer.from([0x1f, 0x8b]), what: 'a gzip archive' },
] as const;

/**
 * Why a file is not a text file at all, when its start says so: a workbook picked instead of its CSV export is the
 * usual case, and reading it as text would only fail later with a mapping of garbled headers.
 */
export function notTextReason(sample: Buffer): string | undefined {
  const known = NOT_TEXT.find(({ starts }) => sample.subarray(0, starts.length).equals(starts));
  if (known) return `the file is ${known.what}, not CSV: save it as CSV (in Excel: File, Save As, CSV UTF-8) and import that`;
  return undefined;
}

export function detectEncoding(sample: Buffer): DetectedEncoding {
  const marked = BYTE_ORDER_MARKS.find(({ bytes }) => sample.subarray(0, bytes.length).equals(bytes));
  if (marked) {
    return { encoding: marked.encoding, bom: marked.bytes.length, reason: `${marked.encoding} byte-order mark` };
  }
  // Checked before UTF-8 because ASCII text in UTF-16 is also valid UTF-8, with a NUL in every other byte.
  const utf16 = utf16ByNulBytes(sample);
  if (utf16) {
    return { encoding: utf16, bom: 0, reason: `no byte-order mark, but NUL bytes in every other position as in ${utf16}` };
  }
  if (isUtf8(sample)) {
    const reason = sample.every((byte) => byte < 0x80) ? 'only ASCII in the sample, read as utf-8' : 'valid utf-8';
    return { encoding: 'utf-8', bom: 0, reason };
  }
  return { ...legacyEncoding(sample), bom: 0 };
}

function utf16ByNulBytes(sample: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(sample.length / 2);
  if (pairs === 0) return undefined;
  let nulAtEven = 0;
  let nulAtOdd = 0;
  for (let i = 0; i + 1 < sample.length; i += 2) {
    if (sample[i] === 0) nulAtEven++;
    if (sample[i + 1] === 0) nulAtOdd++;
  }
  // Delimiters, digits and Latin letters are all below U+0100, so one byte of each of their code units is NUL; a text
  // in a single-byte encoding or in UTF-8 has no NUL at all.
  if (nulAtOdd >= pairs / 5 && nulAtEven <= nulAtOdd / 10) return 'utf-16le';
  if (nulAtEven >= pairs / 5 && nulAtOdd <= nulAtEven / 10) return 'utf-16be';
  return undefined;
}

function isUtf8(sample: Buffer): boolean {
  try {
    // `stream: true` keeps an incomplete sequence at the end waiting for more bytes instead of failing: the sample is
    // usually cut from a longer file, possibly in the middle of a character.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function legacyEncoding(sample: Buffer): { encoding: string; reason: string } {
  const guess = chardet.detect(sample);
  const encoding = guess?.toLowerCase();
  if (encoding === undefined || READ_AS_EXCEL_ENCODING.has(encoding) || !iconv.encodingExists(encoding)) {
    return { encoding: EXCEL_ENCODING, reason: `not utf-8; chardet guessed ${guess ?? 'nothing'}, read as ${EXCEL_ENCODING} as Excel writes it` };
  }
  return { encoding, reason: `not utf-8; chardet guessed ${guess}` };
}

/**
 * Where a file read as UTF-8 is not UTF-8, from the whole of it, chunk by chunk: the first 256 KiB decide the encoding,
 * and an Excel sheet saved in windows-1252 is often plain ASCII for thousands of rows before its first "é", which UTF-8
 * would turn into U+FFFD without a word. Chunks are checked natively; only a file that fails is walked byte by byte.
 */
export class Utf8Survey {
  /** Byte offset of the first byte that is not UTF-8, if any. */
  firstInvalid: number | undefined;
  /** Whether the file holds valid multi-byte UTF-8 sequences (a byte-order mark counts): text written as UTF-8. */
  multibyte = false;
  private offset = 0;
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = this.firstInvalid === undefined ? completeLength(bytes) : bytes.length;
    const part = bytes.subarray(0, whole);
    if (this.firstInvalid === undefined && isCompleteUtf8(part)) {
      // Valid UTF-8 that is not ASCII holds a multi-byte character.
      this.multibyte ||= !isAscii(part);
    } else {
      this.walk(part);
    }
    this.offset += whole;
    this.carry = Buffer.from(bytes.subarray(whole));
  }

  end(): void {
    if (this.carry.length > 0) this.firstInvalid ??= this.offset;
  }

  private walk(bytes: Buffer): void {
    let i = 0;
    while (i < bytes.length) {
      const lead = bytes[i] as number;
      const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
      let valid = length > 0 && i + length <= bytes.length;
      for (let k = 1; valid && k < length; k++) valid = ((bytes[i + k] as number) & 0xc0) === 0x80;
      if (!valid) {
        this.firstInvalid ??= this.offset + i;
        i += 1;
        continue;
      }
      if (length > 1) this.multibyte = true;
      i += length;
    }
  }
}

/** Bytes of `bytes` up to a character cut at its end, which the next chunk completes. */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Why a file that mixes UTF-8 with another encoding is refused, and what to do. */
export function mixedEncodingMessage(line: number, byte: number): string {
  return (
    `line ${line} is not UTF-8 (it holds the byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')}), but other lines of the file are: ` +
    'part of it was saved in another encoding, and reading it either way would garble some names. Save the whole file as "CSV UTF-8" and import that'
  );
}
