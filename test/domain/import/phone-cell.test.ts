import { describe, expect, it } from 'vitest';
import { numberBeforeWords, numbersWrittenInCell, type NumberWrittenInCell } from '../../../domain/import/phone-cell';

describe('numbersWrittenInCell', () => {
  it.each<[string, NumberWrittenInCell[] | undefined]>([
    ['0412 345 678 / 02 9876 5432', [{ text: '0412 345 678' }, { text: '02 9876 5432' }]],
    ['02 9876 5431;02 9876 5430, 02 9876 5439', [{ text: '02 9876 5431' }, { text: '02 9876 5430' }, { text: '02 9876 5439' }]],
    ['Phone: (650) 555-3311 Mobile: (650) 555-2345', [{ text: '(650) 555-3311' }, { text: '(650) 555-2345', type: 'mobile' }]],
    ['M: 0412 345 678 W: 02 9876 5432 F: 02 9876 5433', [{ text: '0412 345 678', type: 'mobile' }, { text: '02 9876 5432', type: 'work' }, { text: '02 9876 5433', type: 'fax' }]],
    ['0412 345 678 (m), 02 9876 5432 (H)', [{ text: '0412 345 678', type: 'mobile' }, { text: '02 9876 5432', type: 'home' }]],
    ['Tel. +44 20 7946 0958', [{ text: '+44 20 7946 0958' }]],
    ['Cell 0412 345 678', [{ text: '0412 345 678', type: 'mobile' }]],
    ['02 9876 5448 x23 (work)', [{ text: '02 9876 5448 x23', type: 'work' }]],
    ['W: 02 9876 5448 ext. 23, M: 0412 345 678', [{ text: '02 9876 5448 ext. 23', type: 'work' }, { text: '0412 345 678', type: 'mobile' }]],
    ['0412 345 678 (mobile) / 02 9876 5448 Ext 7 (office)', [{ text: '0412 345 678', type: 'mobile' }, { text: '02 9876 5448 Ext 7', type: 'work' }]],
    ['Other: 0412 345 678, W: 02 9876 5432', [{ text: '0412 345 678', type: 'other' }, { text: '02 9876 5432', type: 'work' }]],
    ['0412 888 777 or 02 9876 5432', [{ text: '0412 888 777' }, { text: '02 9876 5432' }]],
    ['M: 0412 345 678 OR W: 02 9876 5432', [{ text: '0412 345 678', type: 'mobile' }, { text: '02 9876 5432', type: 'work' }]],
    ['0412 345 678 (m) or 02 9876 5432 (h)', [{ text: '0412 345 678', type: 'mobile' }, { text: '02 9876 5432', type: 'home' }]],
    // "or" stands between numbers, never before or after them.
    ['or 0412 345 678', undefined],
    ['0412 345 678 or', undefined],
    // An extension takes no digits of the number after it.
    ['M: 0412 345 678 x 02 9876 5432', undefined],
    // One number and nothing else: nothing to read apart.
    ['0412 345 678', undefined],
    ['12345', undefined],
    // Words that are not labels: what the number is is not known.
    ['ask Bob: 0412 345 678', undefined],
    ['0412 345 678 after 5pm', undefined],
    // Labels both before and after.
    ['M: 0412 345 678 (work)', undefined],
    ['no number here', undefined],
  ])('%j', (value, numbers) => {
    expect(numbersWrittenInCell(value)).toStrictEqual(numbers);
  });
});

describe('numberBeforeWords', () => {
  it.each<[string, ReturnType<typeof numberBeforeWords>]>([
    ['0412 000 444 after 5pm', { text: '0412 000 444', words: 'after 5pm' }],
    ['0412 000 444 (after hours)', { text: '0412 000 444', words: '(after hours)' }],
    ['0412 000 444, mornings', { text: '0412 000 444', words: 'mornings' }],
    ['02 9876 5448 x23 ask for Bob', { text: '02 9876 5448 x23', words: 'ask for Bob' }],
    ['+61 412 000 444 - work', { text: '+61 412 000 444', words: 'work' }],
    // Words first, or nothing but numbers and signs after the number.
    ['ask Bob: 0412 000 444', undefined],
    ['0412 000 444', undefined],
    ['0412 000 444 / 9876 5433', undefined],
    ['12/03/1985', undefined],
  ])('%j', (value, expected) => {
    expect(numberBeforeWords(value)).toStrictEqual(expected);
  });
});
