import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding, notTextReason, Utf8Survey } from '../../../connectors/csv/encoding';

const CONTACTS = 'First name,Last name,Notes\nRenée,Müller,"Paid €20, ""cash"""\nJosé,Núñez,Señor\nZoë,Brontë,\n';
const CYRILLIC = 'Имя,Фамилия,Телефон\nИван,Петров,0412 345 678\nМария,Смирнова,0412 345 679\nАлексей,Кузнецов,0412 345 680\n';

describe('detectEncoding', () => {
  it.each([
    ['UTF-8 with BOM', iconv.encode(CONTACTS, 'utf-8', { addBOM: true }), 'utf-8', 3],
    ['UTF-16 LE with BOM', iconv.encode(CONTACTS, 'utf-16le', { addBOM: true }), 'utf-16le', 2],
    ['UTF-16 BE with BOM', iconv.encode(CONTACTS, 'utf-16be', { addBOM: true }), 'utf-16be', 2],
    ['UTF-16 LE without BOM', iconv.encode(CONTACTS, 'utf-16le'), 'utf-16le', 0],
    ['UTF-16 BE without BOM', iconv.encode(CONTACTS, 'utf-16be'), 'utf-16be', 0],
    ['UTF-8 without BOM', Buffer.from(CONTACTS), 'utf-8', 0],
    ['UTF-8 cut inside its last character', Buffer.from('Name\nJosé').subarray(0, -1), 'utf-8', 0],
    ['ASCII', Buffer.from('Name,Email\nAda,ada@example.com\n'), 'utf-8', 0],
    ['nothing', Buffer.alloc(0), 'utf-8', 0],
    ['windows-1252 from Excel', iconv.encode(CONTACTS, 'windows-1252'), 'windows-1252', 0],
    ['ISO-8859-1, read as its superset windows-1252', iconv.encode(CONTACTS.replace('€', 'EUR '), 'iso-8859-1'), 'windows-1252', 0],
    ['windows-1251', iconv.encode(CYRILLIC, 'windows-1251'), 'windows-1251', 0],
  ])('%s → %s', (_label, sample, encoding, bom) => {
    const detected = detectEncoding(sample);

    expect(detected).toMatchObject({ encoding, bom });
    expect(detected.reason).not.toBe('');
    expect(iconv.encodingExists(detected.encoding)).toBe(true);
  });

  it('decodes the detected windows-1252 back to the text, the euro sign included', () => {
    const sample = iconv.encode(CONTACTS, 'windows-1252');

    expect(iconv.decode(sample, detectEncoding(sample).encoding)).toBe(CONTACTS);
  });
});

describe('notTextReason', () => {
  const excelAdvice = 'not CSV: save it as CSV (in Excel: File, Save As, CSV UTF-8) and import that';
  it.each([
    ['an .xlsx workbook', Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00', 'latin1'), Buffer.alloc(64)]), `the file is an Excel workbook (.xlsx) or another ZIP archive, ${excelAdvice}`],
    ['an .xls workbook', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), `the file is an old Excel workbook (.xls) or another Office document, ${excelAdvice}`],
    ['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n', 'latin1'), `the file is a PDF document, ${excelAdvice}`],
    ['a gzipped CSV', Buffer.from([0x1f, 0x8b, 0x08, 0x00]), `the file is a gzip archive, ${excelAdvice}`],
    ['a CSV', Buffer.from(CONTACTS), undefined],
    ['a CSV whose first name starts with PK', Buffer.from('PK,Name\n1,Ada\n'), undefined],
    ['a UTF-16 CSV', iconv.encode(CONTACTS, 'utf-16le', { addBOM: true }), undefined],
    ['nothing', Buffer.alloc(0), undefined],
  ])('%s', (_label, sample, reason) => {
    expect(notTextReason(sample)).toBe(reason);
  });
});

describe('Utf8Survey', () => {
  const ascii = Buffer.from(`${'Ann,Lee\n'.repeat(40_000)}`);
  const windows1252 = Buffer.concat([ascii, iconv.encode('Renée,Müller\n', 'windows-1252')]);
  const mixed = Buffer.concat([Buffer.from('José,Núñez\n'), windows1252]);
  it.each<[string, Buffer, number | undefined, boolean]>([
    ['ASCII', ascii, undefined, false],
    ['UTF-8', Buffer.from(CONTACTS), undefined, true],
    ['UTF-8 with a byte-order mark', iconv.encode('Ann,Lee\n', 'utf-8', { addBOM: true }), undefined, true],
    ['ASCII, then windows-1252 past the first 256 KiB', windows1252, ascii.length + 3, false],
    ['UTF-8 and windows-1252 in one file', mixed, Buffer.byteLength('José,Núñez\n') + ascii.length + 3, true],
    ['a character cut at the end of the file', Buffer.from([0x61, 0xc3]), 1, false],
  ])('%s: first byte not UTF-8 at %s, multi-byte UTF-8: %s', (_, bytes, firstInvalid, multibyte) => {
    // Whatever the chunks, characters cut between them included.
    for (const size of [1, 3, 7, 64 * 1024]) {
      const survey = new Utf8Survey();
      for (let at = 0; at < bytes.length; at += size) survey.push(bytes.subarray(at, at + size));
      survey.end();
      expect([size, survey.firstInvalid, survey.multibyte]).toEqual([size, firstInvalid, multibyte]);
    }
  });
});
