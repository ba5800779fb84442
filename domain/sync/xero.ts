import type { Address } from '../import/rows';
import { joinPhoneParts } from '../phone';
import { compactAddress, personName, readEmail, readPhones, type PhoneCandidate, type RemoteContact } from './remote';

/** The parts of a Xero `Contact` we read (xero-node has already turned `/Date(…)/` into a Date). */
export interface XeroContactShape {
  contactID?: string;
  contactStatus?: string;
  name?: string;
  firstName?: string;
  lastName?: string;
  emailAddress?: string;
  phones?: { phoneType?: string; phoneNumber?: string; phoneAreaCode?: string; phoneCountryCode?: string }[];
  addresses?: {
    addressType?: string;
    addressLine1?: string;
    addressLine2?: string;
    addressLine3?: string;
    addressLine4?: string;
    city?: string;
    region?: string;
    postalCode?: string;
    country?: string;
  }[];
  updatedDateUTC?: Date | string;
}

const PHONE_TYPES: Record<string, PhoneCandidate['type']> = { MOBILE: 'mobile', DDI: 'work', DEFAULT: 'other', FAX: 'fax' };

/** Xero splits a number into country code, area code and number; a country code makes it international. */
function joinXeroPhone(phone: NonNullable<XeroContactShape['phones']>[number]): string {
  return joinPhoneParts({ countryCode: phone.phoneCountryCode, areaCode: phone.phoneAreaCode, number: phone.phoneNumber });
}

function xeroAddress(address: NonNullable<XeroContactShape['addresses']>[number] | undefined): Address | undefined {
  if (!address) return undefined;
  const line2 = [address.addressLine2, address.addressLine3, address.addressLine4].filter((l) => l && l.trim() !== '').join(', ');
  return compactAddress({
    line1: address.addressLine1 ?? '',
    line2,
    city: address.city ?? '',
    region: address.region ?? '',
    postalCode: address.postalCode ?? '',
    country: address.country ?? '',
  });
}

export function fromXeroContact(record: XeroContactShape, defaultCountry: string): RemoteContact {
  if (!record.contactID) throw new Error('a Xero contact without ContactID');
  const warnings: string[] = [];
  const phones = readPhones(
    (record.phones ?? []).map((p) => ({ raw: joinXeroPhone(p), type: PHONE_TYPES[p.phoneType ?? ''] ?? 'other' })),
    defaultCountry,
    warnings,
  );
  const email = readEmail(record.emailAddress, warnings);
  const hasPersonName = (record.firstName ?? '').trim() !== '' || (record.lastName ?? '').trim() !== '';
  const contactAddress = xeroAddress(record.addresses?.find((a) => a.addressType === 'STREET'));
  const billingAddress = xeroAddress(record.addresses?.find((a) => a.addressType === 'POBOX'));
  const name = record.name?.trim() ?? '';
  return {
    externalId: record.contactID,
    updatedAt: new Date(record.updatedDateUTC ?? 0).getTime(),
    active: (record.contactStatus ?? 'ACTIVE') === 'ACTIVE',
    contact: {
      ...personName({ first: record.firstName, last: record.lastName, display: name }),
      // Xero's Name is the contact's display name; beside a person's name it is usually their company.
      ...(hasPersonName && name !== '' && name !== `${record.firstName ?? ''} ${record.lastName ?? ''}`.trim() ? { businessName: name } : {}),
      ...(email ? { email } : {}),
      phones,
      tags: [],
      customFields: {},
      ...(contactAddress ? { contactAddress } : {}),
      ...(billingAddress ? { billingAddress } : {}),
    },
    warnings,
  };
}
