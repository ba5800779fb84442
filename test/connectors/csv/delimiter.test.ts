import { describe, expect, it } from 'vitest';
import { detectDelimiter, isDelimiterLine } from '../../../connectors/csv/delimiter';

describe('detectDelimiter', () => {
  it.each([
    ['commas', 'Name,Email,Phone\nAda,ada@example.com,0412 345 678\n', ','],
    ['semicolons, with decimal commas in the amounts', 'Vorname;Nachname;Betrag\nJürgen;Groß;12,50\nAnna;Schäfer;7,5\n', ';'],
    ['tabs, with commas in the addresses', 'Name\tAddress\nAroha\t12 Queen St, Auckland\nTane\t3 Forest Rd, Waipoua\n', '\t'],
    ['pipes', 'Name|Email|Notes\nPriya|priya@example.com|email, not calls\n', '|'],
    ['semicolons, with commas inside quoted fields spanning lines', 'Name;Notes\nAda;"one, two,\nthree, four"\nGrace;"a,b,c"\n', ';'],
    ['commas, with semicolons inside quoted fields', 'Name,Notes\nAda,"a;b;c;d"\nGrace,"e;f;g"\n', ','],
    ['commas, with stray semicolons in the rows but not in the header', 'Name,Email\nAda;Lovelace,ada@example.com\nGrace,grace@example.com;x;y\n', ','],
    ['a single column', 'Email\nada@example.com\ngrace@example.com\n', ','],
    ['a header alone', 'Name;Email;Phone\n', ';'],
    ['blank lines before the header', '\n\nName|Email\nAda|ada@example.com\n', '|'],
    ['a sample cut inside a quoted field', 'Name;Notes\nAda;fine\nGrace;"cut, off', ';'],
    ['nothing', '', ','],
    ["Excel's line naming it, with commas in the header", 'sep=;\nName,Surname;Email\nAda,L;ada@example.com\n', ';'],
    ["Excel's line naming it, in capitals and with CRLF", 'SEP=|\r\nName|Email\r\n', '|'],
    ["Excel's line naming it, after a byte-order mark", '\uFEFFsep=\t\nName\tEmail\n', '\t'],
  ])('%s → %j', (_label, text, delimiter) => {
    const detected = detectDelimiter(text);

    expect(detected.delimiter).toBe(delimiter);
    expect(detected.reason).not.toBe('');
  });

  it('looks at the first 20 records only', () => {
    const text = ['Name,Email', ...Array.from({ length: 20 }, () => 'Ada,ada@example.com'), ...Array.from({ length: 100 }, () => 'x;y;z')].join('\n');

    expect(detectDelimiter(text).reason).toContain('19 of the 19 following');
  });

  it('says when a sep= line named it', () => {
    expect(detectDelimiter('sep=;\nName;Email\n').reason).toBe('the file\'s first line, "sep=;", names it');
  });
});

describe('isDelimiterLine', () => {
  it.each([
    [['sep=', ''], true],
    [['SEP=', ''], true],
    [['sep=', 'x'], false],
    [['sep='], false],
    [['Sep', 'Email'], false],
    [['sep=;'], false],
  ])('%j → %s', (cells, expected) => {
    expect(isDelimiterLine(cells)).toBe(expected);
  });
});
