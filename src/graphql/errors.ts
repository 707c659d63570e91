/**
 * Public errors as GraphQL errors: `extensions.code` from the catalogue (src/errors), the mapping of
 * lower-layer failures done once there. Messages are written for clients; upstream URLs, bodies and
 * headers never appear.
 */
import { GraphQLError } from 'graphql';
import { ErrorCode, type PublicErrorCode } from '../errors/catalogue';
import { describeFailure } from '../errors/public-error';

/** A GraphQL error with a catalogue code (Apollo's GraphQLErrorWithCode, for our codes). */
export function publicError(code: PublicErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

export function badUserInput(message: string, argument?: string): GraphQLError {
  return publicError(ErrorCode.BAD_USER_INPUT, message, argument ? { argument } : {});
}

/** Turns anything a resolver meets into a client-safe GraphQL error. */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const failure = describeFailure(error);
  if (!failure) {
    return new GraphQLError('Unexpected error.', {
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      originalError: error instanceof Error ? error : undefined,
    });
  }
  const { code, message, argument, upstream } = failure;
  // originalError is deliberately not attached: its message and cause chain are for logs only.
  return publicError(code, message, { ...(argument ? { argument } : {}), ...(upstream ? { upstream } : {}) });
}

/** Awaits a call into the layers below and rethrows its failure as a client-safe GraphQL error. */
export async function upstreamCall<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw toGraphQLError(error);
  }
}

/** Runs a core function synchronously, turning its InvalidInputError into BAD_USER_INPUT. */
export function validated<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw toGraphQLError(error);
  }
}
