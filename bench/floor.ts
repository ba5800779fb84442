/**
 * What any import of the file costs at least, measured in the same run as the import: reading it with the reader the
 * import uses (csv-parse underneath) and normalising its phone numbers with libphonenumber-js, each on its own in this
 * process, with nothing else to do. Together with the Postgres CPU of the COPY baseline (writing the rows once, with
 * their indexes) this is a lower bound of the CPU an import needs, whatever its design: on N cores it cannot take less
 * than that CPU divided by N.
 */
import { inspectCsv, readCsvRecordGroups } from '../connectors/csv/reader';
import { autoMapColumns } from '../domain/import/mapping';
import { isPhoneField } from '../domain/import/fields';
import { normalizePhone } from '../domain/phone';

export interface ImportFloor {
  /** CPU seconds to read and parse every record. */
  parseCpuSeconds: number;
  phoneNumbers: number;
  /** CPU seconds to normalise every phone cell of the phone columns. */
  normaliseCpuSeconds: number;
}

const cpuSecondsOfThisProcess = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

export async function measureImportFloor(file: string, defaultCountry: string): Promise<ImportFloor> {
  const inspection = await inspectCsv(file);
  const phoneColumns = autoMapColumns(inspection.headers, inspection.sample).flatMap((m, column) => (isPhoneField(m.field) ? [column] : []));
  const groups = () => readCsvRecordGroups(file, { encoding: 'utf-8', delimiter: inspection.delimiter });

  let started = cpuSecondsOfThisProcess();
  for await (const group of groups()) void group;
  const parseCpuSeconds = cpuSecondsOfThisProcess() - started;

  const phones: string[] = [];
  for await (const group of groups()) {
    for (const record of group) {
      for (const column of phoneColumns) {
        const cell = record.cells[column]?.trim();
        if (cell) phones.push(cell);
      }
    }
  }
  started = cpuSecondsOfThisProcess();
  let valid = 0;
  for (const phone of phones) if (normalizePhone(phone, defaultCountry).ok) valid += 1;
  const normaliseCpuSeconds = cpuSecondsOfThisProcess() - started;
  if (valid === 0 && phones.length > 0) throw new Error('the floor measurement found no valid phone number: it is not measuring the import');
  return { parseCpuSeconds, phoneNumbers: phones.length, normaliseCpuSeconds };
}
