/**
 * `Subscription.sessionUpdates`: validates the arguments (before any upstream call) and opens the
 * feed of changes that the transport handed in as the subscription's root value. Each event then
 * runs the client's selection like a query (`session` and its nested fields through the loaders).
 * The feed is an interface here so that this layer does not depend on src/live, which implements it.
 */
import { ErrorCode } from '../../errors/catalogue';
import type { SessionDto } from '../../upstream/dto';
import { InvalidInputError } from '../../sessions/errors';
import { sessionFilter, type SessionFilterParams } from '../../sessions/normalise';
import { publicError, validated } from '../errors';
import type { SessionChange, SubscriptionResolvers } from '../generated/resolvers-types';
import { sessionModel } from '../session-model';

export interface SessionUpdateEvent {
  usn: number;
  changes: SessionChange[];
  session: SessionDto;
}

export interface SessionUpdateRequest {
  filter: SessionFilterParams;
  /** Replay the changes above this USN first. */
  afterUsn: number | undefined;
  /** The authenticated client (per-client subscription cap). */
  clientId: string;
}

export interface SessionUpdateFeed {
  /** Throws a public GraphQL error when the subscription is refused (cap) or the filter cannot be served. */
  open(request: SessionUpdateRequest): AsyncIterable<SessionUpdateEvent>;
}

/** The root value a live transport executes subscriptions with. */
export interface LiveRoot {
  sessionUpdateFeed: SessionUpdateFeed;
}

export function isLiveRoot(value: unknown): value is LiveRoot {
  return typeof value === 'object' && value !== null && 'sessionUpdateFeed' in value;
}

const notHere = () =>
  publicError(
    ErrorCode.OPERATION_NOT_SUPPORTED,
    'Subscriptions are served over SSE at /graphql/stream and over WebSocket at /graphql, not by POST.',
  );

function isUpdateEvent(value: unknown): value is SessionUpdateEvent {
  return typeof value === 'object' && value !== null && 'usn' in value && 'changes' in value && 'session' in value;
}

/** USNs are compared as numbers; the appliance's stay far below 2^53. */
function afterUsnArgument(value: string | null | undefined): number | undefined {
  if (value == null) return undefined;
  const usn = Number(value);
  if (!Number.isSafeInteger(usn) || usn < 0) {
    throw new InvalidInputError(`afterUsn must be a USN between 0 and 2^53 - 1, got ${value}`, 'afterUsn');
  }
  return usn;
}

export const Subscription: SubscriptionResolvers = {
  sessionUpdates: {
    subscribe(root, args, context) {
      if (!isLiveRoot(root)) throw notHere();
      const request = validated(() => ({
        filter: sessionFilter(args.filter),
        afterUsn: afterUsnArgument(args.afterUsn),
        // The per-client subscription cap counts the share key: anonymous callers apart by address.
        clientId: context.call.clientId,
      }));
      return validated(() => root.sessionUpdateFeed.open(request));
    },
    resolve(event: unknown) {
      // Apollo executes a subscription sent to POST /graphql like a query: there is no event then.
      if (!isUpdateEvent(event)) throw notHere();
      // The session enters GraphQL here: one model per event this subscriber is sent.
      return { usn: String(event.usn), changes: event.changes, session: sessionModel(event.session) };
    },
  },
};
