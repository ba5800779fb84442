import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

export interface GeneratedFile {
  rows: number;
  /** Different people among the valid rows. */
  people: number;
  invalid: number;
}

const formats = [
  (n: string) => `04${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}`,
  (n: string) => `+61 4${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}`,
  (n: string) => `(04) ${n.slice(0, 2)}${n.slice(2, 4)} ${n.slice(4)}`,
  (n: string) => `00614${n}`,
];

/**
 * A contacts file where every tenth row is an earlier person again (another phone format, the email in capitals) and
 * every fiftieth row cannot be imported, so that counts after an import can be checked exactly.
 */
export async function writeContactsCsv(file: string, rows: number): Promise<GeneratedFile> {
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  await write('First Name,Last Name,Email,Mobile,Notes');
  let people = 0;
  let invalid = 0;
  for (let i = 0; i < rows; i++) {
    if (i % 50 === 49) {
      invalid += 1;
      await write(`Bad${i},Row,,12345,no way to reach`);
      continue;
    }
    const person = i % 10 === 9 ? i - 5 : i;
    if (person === i) people += 1;
    const digits = String(10_000_000 + person).slice(1).padStart(8, '1');
    const email = `person${person}@example.com`;
    await write(
      [`First${person}`, `Last${person}`, person === i ? email : email.toUpperCase(), formats[i % formats.length]?.(`12${digits.slice(2)}`) ?? '', `"note, ${i}"`].join(','),
    );
  }
  out.end();
  await once(out, 'finish');
  return { rows, people, invalid };
}
