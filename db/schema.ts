import { sql } from 'drizzle-orm';
import {
  customType,
  bigint,
  boolean,
  integer,
  char,
  check,
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
/**
 * Where a contact's email or phone must be unique: the business's id under the `unique` identity policy, or null
 * under `none`. A unique index over (business, key, scope) then both finds contacts by the key and, since nulls are
 * distinct, lets one contact at most hold a key where the scope is set. Writers set it from the business's policy.
 */
const identityScope = () => uuid('identity_scope');

/**
 * Text compared byte by byte (collation "C"), for keys that are only ever matched, never sorted for a person: normalised
 * emails, E.164 numbers, file hashes. Their indexes are written and probed millions of times by an import, and a
 * database whose default collation is not "C" (C.UTF-8 and en_US.UTF-8 included) compares each pair through the
 * locale: byte comparison takes a million-row import 3-8% less of the database's CPU. Equality is the same either way.
 */
const byteText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

export const identityPolicy = pgEnum('identity_policy', ['unique', 'none']);
export const contactStatus = pgEnum('contact_status', ['active', 'archived']);
export const phoneType = pgEnum('phone_type', ['mobile', 'home', 'work', 'fax', 'other']);
export const addressKind = pgEnum('address_kind', ['contact', 'billing']);
export const roleScope = pgEnum('role_scope', ['platform', 'organisation', 'business']);
export const userRole = pgEnum('user_role', ['admin', 'agent']);
export const identityKind = pgEnum('identity_kind', ['email', 'phone']);
export const channel = pgEnum('channel', ['sms', 'whatsapp', 'webchat', 'email']);
export const conversationStatus = pgEnum('conversation_status', ['open', 'closed']);
export const invoiceStatus = pgEnum('invoice_status', ['draft', 'open', 'paid', 'void']);

export const organisations = pgTable('organisations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** A clinic or business: the tenant that owns contacts. */
export const businesses = pgTable('businesses', {
  id: uuid('id').primaryKey().defaultRandom(),
  organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'restrict' }),
  name: text('name').notNull(),
  defaultCountry: char('default_country', { length: 2 }).notNull(),
  identityPolicy: identityPolicy('identity_policy').notNull().default('unique'),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    phoneE164: text('phone_e164'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`)],
);

export const userRoles = pgTable(
  'user_roles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: userRole('role').notNull(),
    scope: roleScope('scope').notNull(),
    organisationId: uuid('organisation_id').references(() => organisations.id, { onDelete: 'cascade' }),
    businessId: uuid('business_id').references(() => businesses.id, { onDelete: 'cascade' }),
  },
  (t) => [
    check(
      'user_roles_scope_target',
      sql`(${t.scope} = 'platform' and ${t.organisationId} is null and ${t.businessId} is null)
        or (${t.scope} = 'organisation' and ${t.organisationId} is not null and ${t.businessId} is null)
        or (${t.scope} = 'business' and ${t.businessId} is not null)`,
    ),
  ],
);

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    firstName: text('first_name').notNull(),
    middleName: text('middle_name'),
    lastName: text('last_name').notNull(),
    businessName: text('business_name'),
    notes: text('notes'),
    email: text('email'),
    emailNormalized: byteText('email_normalized'),
    status: contactStatus('status').notNull().default('active'),
    anonymous: boolean('anonymous').notNull().default(false),
    // A webchat guest is known only by a pseudonymised address; it stays out of contact lists until named.
    hidden: boolean('hidden').notNull().default(false),
    customFields: jsonb('custom_fields').$type<Record<string, string>>().notNull().default({}),
    source: text('source').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    lastInteractionAt: timestamp('last_interaction_at', { withTimezone: true }),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    identityScope: identityScope(),
  },
  (t) => [
    // Finds a contact by email and, where the scope is the business, lets only one contact hold it.
    uniqueIndex('contacts_business_email_key').on(t.businessId, t.emailNormalized, t.identityScope),
    // Only the archived: an index on (business, status) was the planner's pick for a lookup by email in a business
    // its statistics did not know yet (one row, it thought), which then scanned every contact the import had just
    // written to that business, for each email looked up. The index above serves a business's contacts in full.
    index('contacts_business_archived_idx')
      .on(t.businessId)
      .where(sql`${t.status} = 'archived'`),
    check('contacts_identity_scope', sql`${t.identityScope} = ${t.businessId}`),
  ],
);

export const contactPhones = pgTable(
  'contact_phones',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    // Denormalised so that a phone lookup within a business is one index probe. Not a foreign key: the phone goes
    // with its contact, which goes with its business, and a check per row would slow every bulk insert.
    businessId: uuid('business_id').notNull(),
    raw: text('raw').notNull(),
    e164: byteText('e164').notNull(),
    type: phoneType('type').notNull().default('mobile'),
    isPrimary: boolean('is_primary').notNull().default(false),
    createdAt: createdAt(),
    identityScope: identityScope(),
  },
  (t) => [
    // A number once per contact; the key is also how a phone is named, so it needs no id of its own.
    primaryKey({ columns: [t.contactId, t.e164] }),
    uniqueIndex('contact_phones_one_primary_key').on(t.contactId).where(sql`${t.isPrimary}`),
    // Finds a contact by phone and, where the scope is the business, lets only one contact hold the number.
    uniqueIndex('contact_phones_business_e164_key').on(t.businessId, t.e164, t.identityScope),
    check('contact_phones_identity_scope', sql`${t.identityScope} = ${t.businessId}`),
  ],
);

export const contactAddresses = pgTable(
  'contact_addresses',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    kind: addressKind('kind').notNull(),
    line1: text('line1'),
    line2: text('line2'),
    city: text('city'),
    region: text('region'),
    postalCode: text('postal_code'),
    country: text('country'),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.kind] })],
);

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('tags_business_name_key').on(t.businessId, sql`lower(${t.name})`)],
);

export const contactTags = pgTable(
  'contact_tags',
  {
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.tagId] }), index('contact_tags_tag_idx').on(t.tagId)],
);

/**
 * The emails and phones of a business's users (agents, admins) under the `unique` identity policy: no contact of the
 * business may hold one, and no two users. A contact's own keys are its rows' (`identity_scope`); what keeps the two
 * apart under concurrent writers is the business row: a writer of contact keys locks it `for key share` and reads
 * these keys after that, and a new user's keys are claimed with it locked `for update` (`addBusinessUser`).
 */
export const identityKeys = pgTable(
  'identity_keys',
  {
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    kind: identityKind('kind').notNull(),
    value: text('value').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.kind, t.value] }), index('identity_keys_user_idx').on(t.userId)],
);

/** The link from a contact to its record in another system (Xero, QuickBooks, …). */
export const externalLinks = pgTable(
  'external_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    // Not a foreign key: the link goes with its contact and its connection, both of which go with the business.
    businessId: uuid('business_id').notNull(),
    provider: text('provider').notNull(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    remoteUpdatedAt: timestamp('remote_updated_at', { withTimezone: true }),
    /** Whether the remote record was last seen active (not archived, inactive or deleted). */
    remoteActive: boolean('remote_active').notNull().default(true),
    /** The full sync run that last saw the record: a full run that succeeded marks links it did not see as gone. */
    lastSeenRun: text('last_seen_run'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('external_links_remote_key').on(t.connectionId, t.externalId),
    index('external_links_contact_idx').on(t.contactId),
  ],
);

export const connectionProvider = pgEnum('connection_provider', ['xero', 'quickbooks']);
export const connectionStatus = pgEnum('connection_status', ['active', 'needs_reauth', 'disabled']);

/**
 * A business's link to one Xero organisation (tenant) or QuickBooks company (realm). Tokens are sealed with the
 * worker's secret key; `cursor` is where the next incremental sync starts.
 */
export const connections = pgTable(
  'connections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    provider: connectionProvider('provider').notNull(),
    /** The Xero tenant id or the QuickBooks realm id. */
    tenantId: text('tenant_id').notNull(),
    tenantName: text('tenant_name'),
    status: connectionStatus('status').notNull().default('active'),
    accessTokenSealed: text('access_token_sealed').notNull(),
    refreshTokenSealed: text('refresh_token_sealed').notNull(),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }).notNull(),
    tokensRotatedAt: timestamp('tokens_rotated_at', { withTimezone: true }),
    syncIntervalMinutes: integer('sync_interval_minutes').notNull().default(15),
    /** How long provider outages are retried before a sync gives up. */
    outageBudgetMinutes: integer('outage_budget_minutes').notNull().default(360),
    cursor: jsonb('cursor').$type<Record<string, unknown>>(),
    lastSyncAt: timestamp('last_sync_at', { withTimezone: true }),
    lastSyncSummary: jsonb('last_sync_summary').$type<Record<string, unknown>>(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('connections_business_tenant_key').on(t.businessId, t.provider, t.tenantId),
    index('connections_tenant_idx').on(t.provider, t.tenantId),
  ],
);

/**
 * Calls made to a provider per tenant, shared by every worker: the rate limiter counts the recent ones and those still
 * in flight before letting another call go.
 */
export const providerCalls = pgTable(
  'provider_calls',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    provider: connectionProvider('provider').notNull(),
    tenantId: text('tenant_id').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('provider_calls_tenant_started_idx').on(t.provider, t.tenantId, t.startedAt)],
);

/** A tenant whose provider said "no more calls until then" (a spent day limit, a 429's Retry-After). */
export const providerPauses = pgTable(
  'provider_pauses',
  {
    provider: connectionProvider('provider').notNull(),
    tenantId: text('tenant_id').notNull(),
    until: timestamp('until', { withTimezone: true, precision: 3 }).notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.tenantId] })],
);

/** Webhook deliveries already acted on, by a digest of their verified body, so a replayed delivery starts nothing. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    provider: connectionProvider('provider').notNull(),
    digest: text('digest').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.digest] })],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    // Closed conversations outlive a deleted contact as the business's record of what was said.
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    channel: channel('channel').notNull(),
    status: conversationStatus('status').notNull().default('open'),
    createdAt: createdAt(),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
  },
  (t) => [
    index('conversations_contact_status_idx').on(t.contactId, t.status),
    uniqueIndex('conversations_one_open_per_channel_key')
      .on(t.contactId, t.channel)
      .where(sql`${t.status} = 'open'`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    direction: text('direction').notNull().$type<'inbound' | 'outbound'>(),
    // What makes a redelivered or retried message land once: the provider's message id, else the workflow's.
    idempotencyKey: text('idempotency_key').notNull(),
    text: text('text').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    // The outcome of resolving the sender, kept so that a retried delivery answers exactly as the first did.
    resolution: jsonb('resolution').$type<{ contactId: string; outcome: string }>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('messages_idempotency_key').on(t.businessId, t.idempotencyKey)],
);

export const invoices = pgTable(
  'invoices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'set null' }),
    provider: text('provider'),
    externalId: text('external_id'),
    number: text('number'),
    status: invoiceStatus('status').notNull().default('open'),
    createdAt: createdAt(),
  },
  (t) => [index('invoices_contact_status_idx').on(t.contactId, t.status)],
);

/** What a delete left behind, so that a retried delete answers "deleted" rather than "not found". */
export const deletedContacts = pgTable('deleted_contacts', {
  contactId: uuid('contact_id').primaryKey(),
  businessId: uuid('business_id')
    .notNull()
    .references(() => businesses.id, { onDelete: 'cascade' }),
  deletedAt: timestamp('deleted_at', { withTimezone: true }).notNull().defaultNow(),
});

// 'undoing': an undo has begun taking the import back; an import of the same file waits for it to end.
export const importStatus = pgEnum('import_status', ['running', 'completed', 'cancelled', 'failed', 'undone', 'undoing']);
export const importRowOutcome = pgEnum('import_row_outcome', ['created', 'updated', 'skipped', 'failed']);

/** A column mapping saved by a business for files it imports again and again. */
export const importTemplates = pgTable(
  'import_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    businessId: uuid('business_id')
      .notNull()
      .references(() => businesses.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    mapping: jsonb('mapping').$type<Record<string, string>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('import_templates_business_name_key').on(t.businessId, t.name)],
);

export const imports = pgTable('imports', {
  id: uuid('id').primaryKey().defaultRandom(),
  businessId: uuid('business_id')
    .notNull()
    .references(() => businesses.id, { onDelete: 'cascade' }),
  file: text('file').notNull(),
  fileHash: text('file_hash').notNull(),
  fileSize: bigint('file_size', { mode: 'number' }).notNull(),
  options: jsonb('options').$type<Record<string, unknown>>().notNull().default({}),
  mapping: jsonb('mapping').$type<unknown[]>().notNull().default([]),
  status: importStatus('status').notNull().default('running'),
  // The workflow that runs the import: a retried prepare step finds its import instead of starting another.
  workflowId: text('workflow_id').notNull().unique(),
  errorReport: text('error_report'),
  createdAt: createdAt(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/**
 * One row per line of an imported file, written in the same transaction as the contact it produced: what makes an
 * import resumable after a crash without doing a line twice, and a second import of the same file a no-op.
 */
export const importLedger = pgTable(
  'import_ledger',
  {
    // Not a foreign key: the ledger goes with its import, which goes with the business.
    businessId: uuid('business_id').notNull(),
    fileHash: byteText('file_hash').notNull(),
    line: integer('line').notNull(),
    importId: uuid('import_id')
      .notNull()
      .references(() => imports.id, { onDelete: 'cascade' }),
    outcome: importRowOutcome('outcome').notNull(),
    // Not a foreign key: a ledger row outlives the contact it made (deleted, merged), and checking it would slow the
    // bulk insert of every chunk.
    contactId: uuid('contact_id'),
    // For an update, the contact's values before it, so that the import can be undone.
    previous: jsonb('previous').$type<Record<string, unknown>>(),
    problems: jsonb('problems').$type<{ column?: string; field?: string; message: string }[]>(),
    // The original cells of a failed row, for the error report.
    cells: jsonb('cells').$type<string[]>(),
  },
  (t) => [
    primaryKey({ columns: [t.businessId, t.fileHash, t.line] }),
    index('import_ledger_import_idx').on(t.importId, t.outcome),
  ],
);
