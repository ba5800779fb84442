import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { checkInput } from '../domain/inputs';

/** Fails the workflow (not just its task, which would retry forever) when the operator's input is wrong. */
export function validateInput<T>(workflowType: string, schema: z.ZodType<T>, raw: unknown): T {
  const checked = checkInput(workflowType, schema, raw);
  if (!checked.ok) throw ApplicationFailure.create({ type: 'InvalidInput', message: checked.message, nonRetryable: true });
  return checked.value;
}
