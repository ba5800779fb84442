/**
 * An error a person can act on. Its type names the class of problem (it becomes the Temporal failure type) and its
 * message names the field, row or record at fault. Not retryable unless said otherwise: retrying bad input or a
 * missing record only delays the failure.
 */
export class SwitchboardError extends Error {
  constructor(
    readonly type: 'InvalidInput' | 'NotFound' | 'IdentityConflict' | 'Conflict' | 'NeedsReauth',
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'SwitchboardError';
  }
}
