import { describe, expect, it } from 'vitest';
import { checkInput, deleteContactInput, exportContactsCsvInput, importContactsCsvInput, receiveInboundMessageInput } from '../../domain/inputs';

const businessId = '0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d';

describe('workflow input checks', () => {
  it.each([
    [{ businessId, channel: 'sms', from: { phone: '0412345678' }, text: 'hi' }],
    [{ businessId, channel: 'email', from: { email: 'a@b.co' }, text: '', name: 'Ann Lee', receivedAt: '2026-11-21T09:30:00+11:00' }],
    [{ businessId, channel: 'webchat', from: { sessionId: 'abc' }, text: 'hi', messageId: 'm-1' }],
  ])('accepts %j', (input) => {
    expect(checkInput('receiveInboundMessage', receiveInboundMessageInput, input)).toMatchObject({ ok: true });
  });

  it.each([
    ['a string', 'hello', 'receiveInboundMessage takes one JSON object as its input, e.g. {"businessId":"<uuid>","channel":"sms","from":{"phone":"+61412345678"},"text":"Hi"}'],
    ['an array', [], 'receiveInboundMessage takes one JSON object as its input, e.g. {"businessId":"<uuid>","channel":"sms","from":{"phone":"+61412345678"},"text":"Hi"}'],
    ['no business', { channel: 'sms', from: { phone: '1' }, text: 'x' }, 'receiveInboundMessage input is invalid: businessId is required'],
    ['a missing from', { businessId, channel: 'sms', text: 'x' }, 'receiveInboundMessage input is invalid: from is required'],
    ['a webchat without session', { businessId, channel: 'webchat', from: {}, text: 'x' }, 'receiveInboundMessage input is invalid: from.sessionId (or from.email) is required for webchat messages'],
    ['an email without address', { businessId, channel: 'email', from: { phone: '1' }, text: 'x' }, 'receiveInboundMessage input is invalid: from.email is required for email messages'],
    ['an unknown sender field', { businessId, channel: 'sms', from: { phone: '1', fax: '2' }, text: 'x' }, 'receiveInboundMessage input is invalid: unknown field in from: fax'],
    ['a numeric text', { businessId, channel: 'sms', from: { phone: '1' }, text: 5 }, 'receiveInboundMessage input is invalid: text must be a string'],
    ['a blank phone', { businessId, channel: 'sms', from: { phone: '  ' }, text: 'x' }, 'receiveInboundMessage input is invalid: from.phone must not be empty'],
  ])('rejects %s, naming the field', (_, input, message) => {
    expect(checkInput('receiveInboundMessage', receiveInboundMessageInput, input)).toEqual({ ok: false, message });
  });

  it.each([
    [{ businessId, file: '/data/c.csv', dryrun: true }, 'unknown field: dryrun (did you mean dryRun?)'],
    [{ business_id: businessId, file: '/data/c.csv' }, 'businessId is required; unknown field: business_id (did you mean businessId?)'],
    [{ businessId, file: '/data/c.csv', 'on-match': 'skip', colour: 'red' }, 'unknown fields: on-match (did you mean onMatch?), colour'],
  ])('suggests the field an unknown one was meant to be: %j', (input, problems) => {
    expect(checkInput('importContactsCsv', importContactsCsvInput, input)).toEqual({ ok: false, message: `importContactsCsv input is invalid: ${problems}` });
  });

  it('refuses a template name that templateId would take for a template id', () => {
    expect(checkInput('importContactsCsv', importContactsCsvInput, { businessId, file: '/data/c.csv', saveTemplateAs: businessId })).toEqual({
      ok: false,
      message: 'importContactsCsv input is invalid: saveTemplateAs must not be a UUID, which templateId would take for a template id: give a name',
    });
    expect(checkInput('importContactsCsv', importContactsCsvInput, { businessId, file: '/data/c.csv', saveTemplateAs: 'Xero export' })).toMatchObject({ ok: true });
  });

  it('suggests a field given in the singular', () => {
    expect(checkInput('exportContactsCsv', exportContactsCsvInput, { businessId, output: '/data/out.csv', tag: ['VIP'] })).toEqual({
      ok: false,
      message: 'exportContactsCsv input is invalid: unknown field: tag (did you mean tags?)',
    });
  });

  it('suggests fields within a nested object too', () => {
    expect(checkInput('receiveInboundMessage', receiveInboundMessageInput, { businessId, channel: 'sms', from: { Phone: '1' }, text: 'x' })).toEqual({
      ok: false,
      message: 'receiveInboundMessage input is invalid: unknown field in from: Phone (did you mean phone?); from.phone is required for sms messages',
    });
  });

  it('lists every problem at once', () => {
    const result = checkInput('deleteContact', deleteContactInput, { businessId: 'x', contactId: 'y' });
    expect(result).toEqual({
      ok: false,
      message:
        'deleteContact input is invalid: businessId must be a UUID, e.g. 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d; contactId must be a UUID, e.g. 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d',
    });
  });
});
