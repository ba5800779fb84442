import { z } from 'zod';
import { capitalise, summariseIssues, verifyHmacSha256Base64, type WebhookChange, type WebhookParseResult } from './xero';

/**
 * QuickBooks Online webhooks: the signature check and both payload formats Intuit sends, read into the shared change
 * shape. https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
 *
 * Intuit is moving every app from the legacy format (`{ eventNotifications: [...] }`, one entry per realm) to
 * CloudEvents 1.0 (a JSON array of events, one per changed record); an app switches over in the developer portal, so
 * both are accepted. The signature is the same for both.
 */

export const QUICKBOOKS_SIGNATURE_HEADER = 'intuit-signature';

/** Whether `signature` (the intuit-signature header) signs this raw body with the app's verifier token. */
export function verifyQuickBooksSignature(rawBody: Uint8Array, signature: string | string[] | undefined, verifierToken: string): boolean {
  return verifyHmacSha256Base64(rawBody, signature, verifierToken);
}

/** The legacy format: changes grouped by realm. */
export const quickBooksLegacyPayload = z.object({
  eventNotifications: z.array(
    z.object({
      realmId: z.string().min(1),
      dataChangeEvent: z.object({
        entities: z.array(
          z.object({
            name: z.string().min(1),
            id: z.string().min(1),
            operation: z.string().min(1),
            lastUpdated: z.string().optional(),
            /** On a Merge: the record merged away. */
            deletedId: z.string().optional(),
          }),
        ),
      }),
    }),
  ),
});
export type QuickBooksLegacyPayload = z.infer<typeof quickBooksLegacyPayload>;

/**
 * One CloudEvent as Intuit sends it, e.g. `{ specversion: '1.0', id, source: 'intuit.…', type: 'qbo.customer.updated.v1',
 * datacontenttype: 'application/json', time, intuitentityid: '123', intuitaccountid: '<realmId>', data: {…} }`.
 * The attributes CloudEvents requires are required here; `data` and `datacontenttype` are absent on some events, and an
 * event without an entity or account id is skipped rather than refused.
 */
export const quickBooksCloudEvent = z.object({
  specversion: z.string().min(1),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.string().optional(),
  datacontenttype: z.string().optional(),
  intuitentityid: z.string().optional(),
  intuitaccountid: z.string().optional(),
  data: z.unknown().optional(),
});
export type QuickBooksCloudEvent = z.infer<typeof quickBooksCloudEvent>;

export const quickBooksCloudEventsPayload = z.array(quickBooksCloudEvent);

/** Entities that QuickBooks sends webhooks for, by their lower-case name in a CloudEvents type. */
const QBO_ENTITIES = new Map(
  [
    'Account', 'Bill', 'BillPayment', 'Budget', 'Class', 'CreditMemo', 'Currency', 'Customer', 'Department', 'Deposit',
    'Employee', 'Estimate', 'Invoice', 'Item', 'JournalCode', 'JournalEntry', 'Payment', 'PaymentMethod', 'Preferences',
    'Purchase', 'PurchaseOrder', 'RefundReceipt', 'SalesReceipt', 'TaxAgency', 'Term', 'TimeActivity', 'Transfer',
    'Vendor', 'VendorCredit',
  ].map((name) => [name.toLowerCase(), name]),
);

/** CloudEvents verbs as the legacy format names the operation. */
const QBO_OPERATIONS: Record<string, string> = {
  created: 'Create',
  updated: 'Update',
  deleted: 'Delete',
  merged: 'Merge',
  voided: 'Void',
  emailed: 'Emailed',
};

/** The Customer entity: the only QuickBooks changes Switchboard acts on. */
export const QUICKBOOKS_CUSTOMER_ENTITY = 'Customer';

/** `qbo.customer.updated.v1` → { entity: 'Customer', operation: 'Update' }; undefined when the type is not of that form. */
export function readCloudEventType(type: string): { entity: string; operation: string } | undefined {
  const match = /^[a-z0-9_-]+\.([a-z0-9_]+)\.([a-z_]+)(?:\.v\d+)?$/i.exec(type);
  if (!match) return undefined;
  const entity = match[1]!.toLowerCase();
  const verb = match[2]!.toLowerCase();
  return { entity: QBO_ENTITIES.get(entity) ?? capitalise(entity), operation: QBO_OPERATIONS[verb] ?? capitalise(verb) };
}

function deletedIdOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const id = record.deletedid ?? record.deletedId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

function fromLegacy(payload: QuickBooksLegacyPayload): WebhookParseResult {
  const changes: WebhookChange[] = [];
  for (const notification of payload.eventNotifications) {
    for (const entity of notification.dataChangeEvent.entities) {
      changes.push({
        provider: 'quickbooks',
        tenantId: notification.realmId,
        entity: entity.name,
        entityId: entity.id,
        operation: entity.operation,
        ...(entity.lastUpdated === undefined ? {} : { at: entity.lastUpdated }),
        ...(entity.deletedId ? { deletedId: entity.deletedId } : {}),
      });
    }
  }
  return { ok: true, changes, eventCount: changes.length, skipped: 0 };
}

function fromCloudEvents(events: readonly QuickBooksCloudEvent[]): WebhookParseResult {
  const changes: WebhookChange[] = [];
  let skipped = 0;
  for (const event of events) {
    const kind = readCloudEventType(event.type);
    if (!kind || !event.intuitaccountid || !event.intuitentityid) {
      skipped += 1;
      continue;
    }
    const deletedId = deletedIdOf(event.data);
    changes.push({
      provider: 'quickbooks',
      tenantId: event.intuitaccountid,
      entity: kind.entity,
      entityId: event.intuitentityid,
      operation: kind.operation,
      ...(event.time === undefined ? {} : { at: event.time }),
      ...(deletedId === undefined ? {} : { deletedId }),
    });
  }
  return { ok: true, changes, eventCount: events.length, skipped };
}

/** Reads a delivery whose signature was already verified, in either format. */
export function parseQuickBooksWebhook(rawBody: Uint8Array | string): WebhookParseResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid-json', message: 'the body is not JSON' };
  }
  if (Array.isArray(json)) {
    const parsed = quickBooksCloudEventsPayload.safeParse(json);
    return parsed.success ? fromCloudEvents(parsed.data) : { ok: false, reason: 'invalid-payload', message: summariseIssues(parsed.error) };
  }
  if (typeof json === 'object' && json !== null && 'specversion' in json) {
    // A single event sent in structured mode rather than as a batch.
    const parsed = quickBooksCloudEvent.safeParse(json);
    return parsed.success ? fromCloudEvents([parsed.data]) : { ok: false, reason: 'invalid-payload', message: summariseIssues(parsed.error) };
  }
  const parsed = quickBooksLegacyPayload.safeParse(json);
  return parsed.success ? fromLegacy(parsed.data) : { ok: false, reason: 'invalid-payload', message: summariseIssues(parsed.error) };
}

/** The changes Switchboard acts on: customers. */
export function quickBooksCustomerChanges(changes: readonly WebhookChange[]): WebhookChange[] {
  return changes.filter((change) => change.provider === 'quickbooks' && change.entity === QUICKBOOKS_CUSTOMER_ENTITY);
}
