import { describe, expect, it } from 'vitest';
import { customFieldName, importFields, isSingleValued, type MappingTarget, parseMappingTarget } from '../../../domain/import/fields';

describe('importFields', () => {
  it('lists every field a column can feed', () => {
    expect(importFields).toStrictEqual([
      'firstName',
      'middleName',
      'lastName',
      'fullName',
      'businessName',
      'email',
      'phone',
      'mobilePhone',
      'homePhone',
      'workPhone',
      'fax',
      'tags',
      'notes',
      'contactAddress.line1',
      'contactAddress.line2',
      'contactAddress.city',
      'contactAddress.region',
      'contactAddress.postalCode',
      'contactAddress.country',
      'billingAddress.line1',
      'billingAddress.line2',
      'billingAddress.city',
      'billingAddress.region',
      'billingAddress.postalCode',
      'billingAddress.country',
      'switchboardId',
    ]);
  });
});

describe('parseMappingTarget', () => {
  it.each<[string, MappingTarget | undefined]>([
    ['email', 'email'],
    ['mobilePhone', 'mobilePhone'],
    [' MobilePhone ', 'mobilePhone'],
    ['contactaddress.postalcode', 'contactAddress.postalCode'],
    ['ignore', 'ignore'],
    ['IGNORE', 'ignore'],
    ['custom:Allergies', 'custom:Allergies'],
    ['Custom: Referred by ', 'custom:Referred by'],
    ['custom:', undefined],
    ['custom:  ', undefined],
    ['mobile', undefined],
    ['contactAddress', undefined],
    ['', undefined],
  ])('%j → %j', (text, target) => {
    expect(parseMappingTarget(text)).toBe(target);
  });
});

describe('isSingleValued', () => {
  it.each<[MappingTarget, boolean]>([
    ['firstName', true],
    ['fullName', true],
    ['email', true],
    ['notes', true],
    ['billingAddress.city', true],
    ['billingAddress.line1', true],
    // Every line of an address after its first: Xero's lines 2 to 4.
    ['billingAddress.line2', false],
    ['contactAddress.line2', false],
    ['phone', false],
    ['mobilePhone', false],
    ['fax', false],
    ['tags', false],
    ['custom:Allergies', false],
    ['ignore', false],
  ])('%s → %s', (target, expected) => {
    expect(isSingleValued(target)).toBe(expected);
  });
});

describe('customFieldName', () => {
  it.each<[MappingTarget, string | undefined]>([
    ['custom:Allergies', 'Allergies'],
    ['custom:E-mail 2 - Value', 'E-mail 2 - Value'],
    ['email', undefined],
    ['ignore', undefined],
  ])('%s → %j', (target, name) => {
    expect(customFieldName(target)).toBe(name);
  });
});
