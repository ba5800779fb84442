import { z } from 'zod';

/**
 * Workflow inputs, as an operator types them into the Temporal UI or `temporal workflow start --input`.
 * Checked inside the workflow so that a bad one fails that workflow at once with a message naming the field.
 */

const uuid = (field: string) => z.uuid({ message: `${field} must be a UUID, e.g. 0b7c8e9a-1d2f-4a5b-8c6d-7e8f9a0b1c2d` });
/** Whether a text is a UUID as the inputs' id fields take it. */
export const isUuid = (text: string): boolean => z.uuid().safeParse(text).success;
const nonBlank = (field: string, max = 10_000) =>
  z
    .string({ message: `${field} must be a string` })
    .trim()
    .min(1, { message: `${field} must not be empty` })
    .max(max, { message: `${field} must be at most ${max} characters` });

export const deleteContactInput = z.strictObject({
  businessId: uuid('businessId'),
  contactId: uuid('contactId'),
});
export type DeleteContactInput = z.infer<typeof deleteContactInput>;
export type DeleteContactResult = { outcome: 'deleted' | 'archived'; reason?: string };

export const inboundChannels = ['sms', 'whatsapp', 'webchat', 'email'] as const;
export type InboundChannel = (typeof inboundChannels)[number];

export const receiveInboundMessageInput = z
  .strictObject({
    businessId: uuid('businessId'),
    channel: z.enum(inboundChannels, { message: `channel must be one of ${inboundChannels.join(', ')}` }),
    from: z.strictObject(
      {
        phone: nonBlank('from.phone', 64).optional(),
        email: nonBlank('from.email', 320).optional(),
        sessionId: nonBlank('from.sessionId', 200).optional(),
      },
      { message: 'from must be an object such as { "phone": "+61412345678" }' },
    ),
    name: z.string({ message: 'name must be a string' }).trim().max(300).optional(),
    text: z.string({ message: 'text must be a string' }).max(100_000, { message: 'text must be at most 100000 characters' }),
    receivedAt: z.iso
      .datetime({ offset: true, message: 'receivedAt must be an ISO 8601 date-time, e.g. 2026-11-21T09:30:00Z' })
      .optional(),
    /** The provider's message id, when there is one: a redelivery with the same id is recorded once. */
    messageId: nonBlank('messageId', 300).optional(),
  })
  .superRefine((input, ctx) => {
    const need = (field: 'phone' | 'email' | 'sessionId', why: string) => {
      if (!input.from[field]) ctx.addIssue({ code: 'custom', path: ['from', field], message: `from.${field} is required ${why}` });
    };
    if (input.channel === 'sms' || input.channel === 'whatsapp') need('phone', `for ${input.channel} messages`);
    if (input.channel === 'email') need('email', 'for email messages');
    if (input.channel === 'webchat' && !input.from.sessionId && !input.from.email) {
      ctx.addIssue({ code: 'custom', path: ['from', 'sessionId'], message: 'from.sessionId (or from.email) is required for webchat messages' });
    }
  });
export type ReceiveInboundMessageInput = z.infer<typeof receiveInboundMessageInput>;
export type ReceiveInboundMessageResult = { contactId: string; outcome: 'matched' | 'reactivated' | 'created' };

const countryCode = (field: string) =>
  z
    .string({ message: `${field} must be a string` })
    .regex(/^[A-Za-z]{2}$/, { message: `${field} must be an ISO 3166 alpha-2 country code such as AU, GB or US` })
    .transform((v) => v.toUpperCase());

export const onMatchModes = ['update', 'skip', 'create'] as const;

export const importContactsCsvInput = z.strictObject({
  businessId: uuid('businessId'),
  file: nonBlank('file', 4096),
  mapping: z
    .record(z.string(), z.string({ message: 'mapping values must be field names or "ignore"' }), {
      message: 'mapping must be an object such as { "Mobile": "mobilePhone", "Notes": "ignore" }',
    })
    .optional(),
  onMatch: z.enum(onMatchModes, { message: `onMatch must be one of ${onMatchModes.join(', ')}` }).default('update'),
  dryRun: z.boolean({ message: 'dryRun must be true or false' }).default(false),
  defaultCountry: countryCode('defaultCountry').optional(),
  /** A saved mapping template of the business, by its id or its name. */
  templateId: nonBlank('templateId', 200).optional(),
  /** Saves the mapping this import used as a template of the business, under this name. */
  // templateId takes a template's id or its name: a name that is an id would name another template, or none.
  saveTemplateAs: nonBlank('saveTemplateAs', 200)
    .refine((name) => !isUuid(name), { message: 'saveTemplateAs must not be a UUID, which templateId would take for a template id: give a name' })
    .optional(),
  /** Where the error report goes; by default next to the file. */
  errorReport: nonBlank('errorReport', 4096).optional(),
});
export type ImportContactsCsvInput = z.infer<typeof importContactsCsvInput>;

export const undoImportInput = z.strictObject({ importId: uuid('importId') });
export type UndoImportInput = z.infer<typeof undoImportInput>;

export const exportContactsCsvInput = z.strictObject({
  businessId: uuid('businessId'),
  tags: z.array(nonBlank('tags[]', 200), { message: 'tags must be a list of tag names' }).optional(),
  includeArchived: z.boolean({ message: 'includeArchived must be true or false' }).default(false),
  columns: z.array(nonBlank('columns[]', 200), { message: 'columns must be a list of column names' }).optional(),
  output: nonBlank('output', 4096),
});
export type ExportContactsCsvInput = z.infer<typeof exportContactsCsvInput>;

export const syncModes = ['incremental', 'full'] as const;

export const syncConnectionInput = z.strictObject({
  connectionId: uuid('connectionId'),
  mode: z.enum(syncModes, { message: `mode must be one of ${syncModes.map((m) => `"${m}"`).join(', ')}` }).default('incremental'),
});
export type SyncConnectionInput = z.infer<typeof syncConnectionInput>;

/** One sync per connection at a time: its workflow id is derived from the connection. */
export const syncWorkflowId = (connectionId: string) => `sync-${connectionId}`;

export type InputCheck<T> = { ok: true; value: T } | { ok: false; message: string };

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** The fields of the object the schema expects at `path`, or none where it expects no object. */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const unwrapped = (at: unknown): unknown => (at instanceof z.ZodOptional || at instanceof z.ZodDefault ? unwrapped(at.unwrap()) : at);
  let at = unwrapped(schema);
  for (const key of path) at = unwrapped(at instanceof z.ZodObject ? (at.shape as Record<PropertyKey, unknown>)[key] : undefined);
  return at instanceof z.ZodObject ? Object.keys(at.shape) : [];
}

// How an operator's spelling of a name may differ from it: case, _ or - between the words, and a plural s.
const spelling = (key: string) => key.toLowerCase().replace(/[_-]/g, '').replace(/s$/, '');

/** An unknown name as a message shows it, with the one among `known` it was probably meant to be. */
export function withMeantName(given: string, known: readonly string[], shown: (name: string) => string = (name) => name): string {
  const meant = known.find((name) => spelling(name) === spelling(given));
  return meant ? `${shown(given)} (did you mean ${shown(meant)}?)` : shown(given);
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, schema: z.ZodType): string {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = field ? ` in ${field}` : '';
    const known = fieldsAt(schema, issue.path);
    const named = issue.keys.map((key) => withMeantName(key, known));
    return `unknown field${issue.keys.length > 1 ? 's' : ''}${where}: ${named.join(', ')}`;
  }
  if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) return `${field || 'input'} is required`;
  // Messages written above already start with the field's name; zod's own do not.
  return field && !issue.message.startsWith(field) ? `${field}: ${issue.message}` : issue.message;
}

/** Validates one workflow's input; the message lists every problem, each by field. */
export function checkInput<T>(workflowType: string, schema: z.ZodType<T>, raw: unknown): InputCheck<T> {
  if (raw === undefined || raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      message: `${workflowType} takes one JSON object as its input, e.g. ${exampleInputs[workflowType] ?? '{ … }'}`,
    };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  // One problem per field: the first one is the one to fix (a blank phone is not also "missing").
  const byField = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.');
    if (!byField.has(field)) byField.set(field, describeIssue(issue, raw, schema));
  }
  const problems = [...byField.values()];
  return { ok: false, message: `${workflowType} input is invalid: ${problems.join('; ')}` };
}

export const exampleInputs: Record<string, string> = {
  deleteContact: '{"businessId":"<uuid>","contactId":"<uuid>"}',
  receiveInboundMessage: '{"businessId":"<uuid>","channel":"sms","from":{"phone":"+61412345678"},"text":"Hi"}',
  importContactsCsv: '{"businessId":"<uuid>","file":"/data/contacts.csv"}',
  undoImport: '{"importId":"<uuid>"}',
  exportContactsCsv: '{"businessId":"<uuid>","output":"/data/contacts-export.csv"}',
  syncConnection: '{"connectionId":"<uuid>","mode":"incremental"}',
};

export const workflowTypes = Object.keys(exampleInputs);
