import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Xero webhooks: the signature check and the payload, read into the shape both providers' deliveries share.
 * https://developer.xero.com/documentation/webhooks/overview
 *
 * This module also holds what the two providers share (the change shape and the HMAC check); quickbooks.ts imports
 * them from here.
 */

export type WebhookProvider = 'xero' | 'quickbooks';

/** One changed record named by a verified delivery. Deliveries carry ids only: the record itself is fetched. */
export interface WebhookChange {
  provider: WebhookProvider;
  /** Xero tenantId (the organisation) or QuickBooks realmId (the company). */
  tenantId: string;
  /** The provider's entity name: 'Contact', 'Invoice', 'CreditNote' (Xero); 'Customer', 'Invoice', 'SalesReceipt' (QuickBooks). */
  entity: string;
  entityId: string;
  /** 'Create' | 'Update' from both, and 'Delete' | 'Merge' | 'Void' | 'Emailed' from QuickBooks. */
  operation: string;
  /** When the change happened, as the provider gives it (Xero's zone-less UTC times get a 'Z'). */
  at?: string;
  /** On a QuickBooks Merge: the id of the record merged into `entityId`, which no longer exists. */
  deletedId?: string;
}

export interface WebhookParseSuccess {
  ok: true;
  changes: WebhookChange[];
  /** Events in the delivery, whether or not they became changes. */
  eventCount: number;
  /** Events that named no record this module can read (an unknown CloudEvents type, say). */
  skipped: number;
}
export interface WebhookParseFailure {
  ok: false;
  reason: 'invalid-json' | 'invalid-payload';
  /** Paths and messages of the problems, never the body's values. */
  message: string;
}
export type WebhookParseResult = WebhookParseSuccess | WebhookParseFailure;

const SHA256_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Whether `signature` is the base64 HMAC-SHA256 of exactly these body bytes under `secret`, compared in constant time.
 * An absent, repeated, non-base64 or wrong-length signature is simply not valid; this never throws for it.
 */
export function verifyHmacSha256Base64(rawBody: Uint8Array, signature: string | string[] | undefined, secret: string): boolean {
  if (typeof signature !== 'string' || secret.length === 0) return false;
  const given = signature.trim();
  // Strict base64 of 32 bytes is 44 characters; Buffer.from would silently skip stray characters.
  if (given.length !== 44 || !BASE64.test(given)) return false;
  const givenBytes = Buffer.from(given, 'base64');
  if (givenBytes.length !== SHA256_BYTES) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(givenBytes, expected);
}

export const XERO_SIGNATURE_HEADER = 'x-xero-signature';

/** Whether `signature` (the x-xero-signature header) signs this raw body with the app's webhook key. */
export function verifyXeroSignature(rawBody: Uint8Array, signature: string | string[] | undefined, webhookKey: string): boolean {
  return verifyHmacSha256Base64(rawBody, signature, webhookKey);
}

/**
 * A Xero delivery. Categories and types beyond the documented ones (CONTACT, INVOICE, CREDITNOTE, SUBSCRIPTION;
 * CREATE, UPDATE) are read rather than refused, so that a new category Xero adds is acknowledged, not retried for a
 * day until the webhook is disabled. Sequences are 0 on an intent-to-receive delivery.
 */
export const xeroWebhookPayload = z.object({
  events: z.array(
    z.object({
      resourceUrl: z.string(),
      resourceId: z.string().min(1),
      eventDateUtc: z.string(),
      eventType: z.string().min(1),
      eventCategory: z.string().min(1),
      tenantId: z.string().min(1),
      tenantType: z.string(),
    }),
  ),
  firstEventSequence: z.number().int().nonnegative(),
  lastEventSequence: z.number().int().nonnegative(),
  entropy: z.string(),
});
export type XeroWebhookPayload = z.infer<typeof xeroWebhookPayload>;

export type XeroParseResult = (WebhookParseSuccess & { intentToReceive: boolean }) | WebhookParseFailure;

const XERO_ENTITIES: Record<string, string> = {
  CONTACT: 'Contact',
  INVOICE: 'Invoice',
  CREDITNOTE: 'CreditNote',
  SUBSCRIPTION: 'Subscription',
};

/** The Contact entity: the only Xero changes Switchboard acts on. */
export const XERO_CONTACT_ENTITY = 'Contact';

/** 'UPDATE' → 'Update', 'CREDITNOTE' → 'Creditnote' (for categories without a known name). */
export function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

/** Xero's eventDateUtc is UTC written without a zone ("2024-06-21T01:15:39.902"): say so, so it is not read as local. */
function utc(time: string): string {
  return /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(time) ? `${time}Z` : time;
}

/** Reads a delivery whose signature was already verified. `events: []` is Xero's intent-to-receive check. */
export function parseXeroWebhook(rawBody: Uint8Array | string): XeroParseResult {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid-json', message: 'the body is not JSON' };
  }
  const parsed = xeroWebhookPayload.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid-payload', message: summariseIssues(parsed.error) };
  const changes = parsed.data.events.map(
    (event): WebhookChange => ({
      provider: 'xero',
      tenantId: event.tenantId,
      entity: XERO_ENTITIES[event.eventCategory.toUpperCase()] ?? capitalise(event.eventCategory),
      entityId: event.resourceId,
      operation: capitalise(event.eventType),
      at: utc(event.eventDateUtc),
    }),
  );
  return { ok: true, intentToReceive: parsed.data.events.length === 0, changes, eventCount: parsed.data.events.length, skipped: 0 };
}

/** The changes Switchboard acts on: contacts. */
export function xeroContactChanges(changes: readonly WebhookChange[]): WebhookChange[] {
  return changes.filter((change) => change.provider === 'xero' && change.entity === XERO_CONTACT_ENTITY);
}

/** Paths and messages of a payload's problems, never its values. */
export function summariseIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
