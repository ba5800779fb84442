import type { Address } from '../import/rows';
import { compactAddress, personName, readEmail, readPhones, type RemoteContact } from './remote';

export interface QboAddressShape {
  Line1?: string;
  Line2?: string;
  Line3?: string;
  City?: string;
  CountrySubDivisionCode?: string;
  PostalCode?: string;
  Country?: string;
}

/** A QuickBooks `Customer` as the API sends it; a CDC delete is only `{ Id, status: 'Deleted', MetaData }`. */
export interface QboCustomerShape {
  Id: string;
  status?: string;
  Active?: boolean;
  DisplayName?: string;
  GivenName?: string;
  MiddleName?: string;
  FamilyName?: string;
  CompanyName?: string;
  PrimaryEmailAddr?: { Address?: string };
  PrimaryPhone?: { FreeFormNumber?: string };
  Mobile?: { FreeFormNumber?: string };
  AlternatePhone?: { FreeFormNumber?: string };
  Fax?: { FreeFormNumber?: string };
  BillAddr?: QboAddressShape;
  ShipAddr?: QboAddressShape;
  Notes?: string;
  MetaData?: { LastUpdatedTime?: string };
}

function qboAddress(address: QboAddressShape | undefined): Address | undefined {
  if (!address) return undefined;
  return compactAddress({
    line1: address.Line1 ?? '',
    line2: [address.Line2, address.Line3].filter((l) => l && l.trim() !== '').join(', '),
    city: address.City ?? '',
    region: address.CountrySubDivisionCode ?? '',
    postalCode: address.PostalCode ?? '',
    country: address.Country ?? '',
  });
}

export function isDeletedCustomer(record: QboCustomerShape): boolean {
  return record.status === 'Deleted';
}

export function fromQboCustomer(record: QboCustomerShape, defaultCountry: string): RemoteContact {
  const warnings: string[] = [];
  const updatedAt = Date.parse(record.MetaData?.LastUpdatedTime ?? '');
  if (!Number.isFinite(updatedAt)) throw new Error(`QuickBooks customer ${record.Id} has no readable MetaData.LastUpdatedTime`);
  const phones = readPhones(
    [
      { raw: record.Mobile?.FreeFormNumber ?? '', type: 'mobile' as const },
      { raw: record.PrimaryPhone?.FreeFormNumber ?? '', type: 'other' as const },
      { raw: record.AlternatePhone?.FreeFormNumber ?? '', type: 'other' as const },
      { raw: record.Fax?.FreeFormNumber ?? '', type: 'fax' as const },
    ],
    defaultCountry,
    warnings,
  );
  const email = readEmail(record.PrimaryEmailAddr?.Address, warnings);
  const contactAddress = qboAddress(record.ShipAddr);
  const billingAddress = qboAddress(record.BillAddr);
  const company = record.CompanyName?.trim();
  const notes = record.Notes?.trim();
  return {
    externalId: record.Id,
    updatedAt,
    active: !isDeletedCustomer(record) && record.Active !== false,
    contact: {
      ...personName({ first: record.GivenName, middle: record.MiddleName, last: record.FamilyName, display: record.DisplayName, company }),
      ...(company ? { businessName: company } : {}),
      ...(email ? { email } : {}),
      phones,
      tags: [],
      ...(notes ? { notes } : {}),
      customFields: {},
      ...(contactAddress ? { contactAddress } : {}),
      ...(billingAddress ? { billingAddress } : {}),
    },
    warnings,
  };
}
