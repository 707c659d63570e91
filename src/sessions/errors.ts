/**
 * The core's one failure: input it cannot accept. It names the argument and says what is expected;
 * each public surface maps it onto its own answer (GraphQL BAD_USER_INPUT, an export's 400).
 */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';

  constructor(
    message: string,
    /** The argument's path as the client wrote it, e.g. `filter.policyId`. */
    readonly argument?: string,
  ) {
    super(message);
  }
}
