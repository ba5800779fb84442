import { describe, expect, it } from 'vitest';
import {
  bestMatch,
  identityKeyOfString,
  identityKeys,
  identityKeyString,
  type IdentityKey,
  matchContacts,
  type MatchCandidate,
} from '../../domain/identity';

const email = (value: string): IdentityKey => ({ kind: 'email', value });
const phone = (value: string): IdentityKey => ({ kind: 'phone', value });

describe('identityKeys', () => {
  it.each<[string, Parameters<typeof identityKeys>[0], IdentityKey[]]>([
    ['nothing', {}, []],
    ['email only', { email: 'bob@x.com' }, [email('bob@x.com')]],
    ['phones only', { phones: ['+61412345678', '+61298765432'] }, [phone('+61412345678'), phone('+61298765432')]],
    [
      'email first, phones in given order',
      { phones: ['+61298765432', '+61412345678'], email: 'bob@x.com' },
      [email('bob@x.com'), phone('+61298765432'), phone('+61412345678')],
    ],
    [
      'duplicate phones kept once, at their first position',
      { phones: ['+61412345678', '+61298765432', '+61412345678'] },
      [phone('+61412345678'), phone('+61298765432')],
    ],
    [
      'empty values dropped',
      { email: '', phones: [null, undefined, '', '  ', '+61412345678'] },
      [phone('+61412345678')],
    ],
    ['null email dropped', { email: null, phones: [] }, []],
    ['blank email dropped', { email: ' ', phones: ['+61412345678'] }, [phone('+61412345678')]],
  ])('%s', (_, input, expected) => {
    expect(identityKeys(input)).toStrictEqual(expected);
  });
});

describe('identityKeyString', () => {
  it.each([
    [email('bob@x.com'), 'email:bob@x.com'],
    [phone('+61412345678'), 'phone:+61412345678'],
  ])('%j → %s', (key, expected) => {
    expect(identityKeyString(key)).toBe(expected);
  });

  it('keeps an email and a phone with the same text apart', () => {
    expect(identityKeyString(email('x'))).not.toBe(identityKeyString(phone('x')));
  });
});

describe('identityKeyOfString', () => {
  it.each([email('bob@x.com'), phone('+61412345678'), email('"odd:local"@x.com')])('reads %j back from its string', (key) => {
    expect(identityKeyOfString(identityKeyString(key))).toStrictEqual(key);
  });

  it.each(['bob@x.com', 'fax:+61298765432', ''])('refuses %j, which no key makes', (name) => {
    expect(() => identityKeyOfString(name)).toThrow('is not an identity key string');
  });
});

describe('matchContacts', () => {
  const keys = [email('bob@x.com'), phone('+61412345678'), phone('+61298765432')];

  it.each<[string, MatchCandidate[], { contactId: string; matchedOn: IdentityKey[] }[]]>([
    ['no candidates', [], []],
    ['no shared key', [{ id: 'c1', email: 'alice@x.com', phones: ['+61400000000'] }], []],
    [
      'more shared keys first',
      [
        { id: 'a', phones: ['+61412345678'] },
        { id: 'b', phones: ['+61298765432', '+61412345678'] },
      ],
      [
        { contactId: 'b', matchedOn: [phone('+61412345678'), phone('+61298765432')] },
        { contactId: 'a', matchedOn: [phone('+61412345678')] },
      ],
    ],
    [
      'email match before phone-only match with as many keys',
      [
        { id: 'a', phones: ['+61412345678'] },
        { id: 'b', email: 'bob@x.com', phones: [] },
      ],
      [
        { contactId: 'b', matchedOn: [email('bob@x.com')] },
        { contactId: 'a', matchedOn: [phone('+61412345678')] },
      ],
    ],
    [
      'more shared keys beat an email match',
      [
        { id: 'a', email: 'bob@x.com', phones: [] },
        { id: 'b', phones: ['+61412345678', '+61298765432'] },
      ],
      [
        { contactId: 'b', matchedOn: [phone('+61412345678'), phone('+61298765432')] },
        { contactId: 'a', matchedOn: [email('bob@x.com')] },
      ],
    ],
    [
      'active before archived on a tie',
      [
        { id: 'a', phones: ['+61412345678'], status: 'archived' },
        { id: 'b', phones: ['+61412345678'], status: 'active' },
        { id: 'c', phones: ['+61412345678'] },
      ],
      [
        { contactId: 'b', matchedOn: [phone('+61412345678')] },
        { contactId: 'c', matchedOn: [phone('+61412345678')] },
        { contactId: 'a', matchedOn: [phone('+61412345678')] },
      ],
    ],
    [
      'archived with more shared keys still first',
      [
        { id: 'a', phones: ['+61412345678'], status: 'active' },
        { id: 'b', email: 'bob@x.com', phones: ['+61412345678'], status: 'archived' },
      ],
      [
        { contactId: 'b', matchedOn: [email('bob@x.com'), phone('+61412345678')] },
        { contactId: 'a', matchedOn: [phone('+61412345678')] },
      ],
    ],
    [
      'id order on a full tie, by code unit',
      [
        { id: 'b', phones: ['+61412345678'] },
        { id: 'B', phones: ['+61412345678'] },
        { id: 'a', phones: ['+61412345678'] },
      ],
      [
        { contactId: 'B', matchedOn: [phone('+61412345678')] },
        { contactId: 'a', matchedOn: [phone('+61412345678')] },
        { contactId: 'b', matchedOn: [phone('+61412345678')] },
      ],
    ],
    [
      'matchedOn follows the order of the keys, not of the candidate',
      [{ id: 'a', email: 'bob@x.com', phones: ['+61298765432', '+61412345678'] }],
      [{ contactId: 'a', matchedOn: keys }],
    ],
    [
      'an email value does not match a phone value',
      [{ id: 'a', email: '+61412345678', phones: ['bob@x.com'] }],
      [],
    ],
  ])('%s', (_, candidates, expected) => {
    expect(matchContacts(keys, candidates)).toStrictEqual(expected);
  });

  it('does not depend on the order of the candidates', () => {
    const candidates: MatchCandidate[] = [
      { id: 'c', phones: ['+61412345678'] },
      { id: 'a', phones: ['+61298765432'] },
      { id: 'b', email: 'bob@x.com', phones: [] },
    ];
    const forwards = matchContacts(keys, candidates).map((match) => match.contactId);
    const backwards = matchContacts(keys, [...candidates].reverse()).map((match) => match.contactId);
    expect(forwards).toStrictEqual(['b', 'a', 'c']);
    expect(backwards).toStrictEqual(forwards);
  });

  it('matches nothing without keys', () => {
    expect(matchContacts([], [{ id: 'a', email: 'bob@x.com', phones: ['+61412345678'] }])).toStrictEqual([]);
  });
});

describe('bestMatch', () => {
  it('returns the first ranked match', () => {
    expect(
      bestMatch(
        [email('bob@x.com'), phone('+61412345678')],
        [
          { id: 'a', phones: ['+61412345678'] },
          { id: 'b', email: 'bob@x.com', phones: [] },
        ],
      ),
    ).toStrictEqual({ contactId: 'b', matchedOn: [email('bob@x.com')] });
  });

  it('returns undefined when nothing matches', () => {
    expect(bestMatch([email('bob@x.com')], [{ id: 'a', email: 'alice@x.com', phones: [] }])).toBeUndefined();
  });
});
