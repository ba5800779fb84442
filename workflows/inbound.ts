import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { receiveInboundMessageInput, type ReceiveInboundMessageResult } from '../domain/inputs';
import { BusinessIdAttribute } from '../domain/search-attributes';
import { db } from './activities';
import { validateInput } from './validate';

/** Files an inbound message under its sender's contact: matched, reactivated from the archive, or created. */
export async function receiveInboundMessage(rawInput: unknown): Promise<ReceiveInboundMessageResult> {
  const input = validateInput('receiveInboundMessage', receiveInboundMessageInput, rawInput);
  upsertSearchAttributes([{ key: BusinessIdAttribute, value: input.businessId }]);
  const info = workflowInfo();
  return db.recordInboundMessage({
    ...input,
    // Workflow time is deterministic: the moment this workflow started stands in for an unstated arrival time.
    receivedAt: input.receivedAt ?? new Date(info.startTime).toISOString(),
    idempotencyKey: input.messageId ? `message:${input.messageId}` : `workflow:${info.workflowId}/${info.firstExecutionRunId}`,
  });
}
