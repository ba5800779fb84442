import { normalizeEmail } from '../email';
import { splitFullName } from '../names';
import { normalizePhone } from '../phone';
import type { Address, ImportedContact, ImportedPhone, PhoneType } from '../import/rows';

export type Provider = 'xero' | 'quickbooks';

/** One record of a provider, read onto the shape of a Switchboard contact. */
export interface RemoteContact {
  externalId: string;
  /** When the provider last changed it, in ms since the epoch. */
  updatedAt: number;
  /** False when archived (Xero), inactive or deleted (QuickBooks). */
  active: boolean;
  contact: ImportedContact;
  /** Numbers or emails that could not be read; the record is still stored without them. */
  warnings: string[];
}

export interface PhoneCandidate {
  raw: string;
  type: PhoneType;
}

/** Names as the provider has them: given and family name when set, else the display name split, else the company. */
export function personName(given: {
  first?: string;
  middle?: string;
  last?: string;
  display?: string;
  company?: string;
}): Pick<ImportedContact, 'firstName' | 'middleName' | 'lastName'> {
  const first = given.first?.trim() ?? '';
  const last = given.last?.trim() ?? '';
  const middle = given.middle?.trim() || undefined;
  if (first !== '' || last !== '') return { firstName: first, lastName: last, ...(middle ? { middleName: middle } : {}) };
  const display = (given.display ?? '').trim() || (given.company ?? '').trim();
  const split = splitFullName(display);
  return { firstName: split.firstName, lastName: split.lastName ?? '', ...(split.middleName ? { middleName: split.middleName } : {}) };
}

/** Reachable numbers in E.164, without repeats, the mobile first and primary (else the first one). */
export function readPhones(candidates: readonly PhoneCandidate[], defaultCountry: string, warnings: string[]): ImportedPhone[] {
  const phones: ImportedPhone[] = [];
  for (const candidate of candidates) {
    const raw = candidate.raw.trim();
    if (raw === '') continue;
    const result = normalizePhone(raw, defaultCountry);
    if (!result.ok) {
      warnings.push(`phone '${raw}' ${result.reason}`);
      continue;
    }
    if (phones.some((p) => p.e164 === result.e164)) continue;
    phones.push({ raw, e164: result.e164, type: candidate.type, primary: false });
  }
  phones.sort((a, b) => Number(b.type === 'mobile') - Number(a.type === 'mobile'));
  if (phones[0]) phones[0].primary = true;
  return phones;
}

export function readEmail(raw: string | undefined, warnings: string[]): ImportedContact['email'] {
  const text = raw?.trim() ?? '';
  if (text === '') return undefined;
  const result = normalizeEmail(text);
  if (!result.ok) {
    warnings.push(`email '${text}' ${result.reason}`);
    return undefined;
  }
  return { address: result.email, normalized: result.normalized };
}

export function compactAddress(address: Address): Address | undefined {
  const parts = Object.fromEntries(Object.entries(address).filter(([, v]) => typeof v === 'string' && v.trim() !== '').map(([k, v]) => [k, (v as string).trim()]));
  return Object.keys(parts).length > 0 ? (parts as Address) : undefined;
}
