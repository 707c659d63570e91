/**
 * Running a checked subscription: the `sessionUpdates` resolver opens the feed (root value), and each
 * event then executes the client's selection like a query, with a FRESH context (its own DataLoaders,
 * deadline and call count), so nothing is cached from one event to the next. graphql-js's own
 * `subscribe` would reuse one context for the whole subscription.
 */
import { createSourceEventStream, execute, type ExecutionResult } from 'graphql';
import { createContext, type GatewayServices } from '../graphql/context';
import { toGraphQLError } from '../graphql/errors';
import type { LiveRoot, SessionUpdateEvent } from '../graphql/resolvers/subscription';
import type { CheckedOperation } from './operation';

/** The id of an event's result (its USN), for SSE `id:` lines; a symbol, so it never reaches the JSON. */
export const EVENT_ID: unique symbol = Symbol('live event id');

export type LiveResult = ExecutionResult & { [EVENT_ID]?: string };

export interface Subscribing {
  requestId: string;
  clientId: string;
  /** Whose shares the subscription counts against (the client, or its address without authentication). */
  shareKey: string;
  /** Aborts when the connection closes. */
  signal: AbortSignal;
  root: LiveRoot;
}

export type LiveStream = AsyncIterableIterator<LiveResult> & { return(): Promise<IteratorResult<LiveResult>> };

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

const isUpdateEvent = (value: unknown): value is SessionUpdateEvent =>
  typeof value === 'object' && value !== null && 'usn' in value && 'session' in value;

/**
 * Like graphql-js's map of the source stream, but `return()` ends a read that is waiting for the next
 * change at once (an async generator would wait for it), and a failure of the feed (gap, too slow)
 * becomes a last result carrying the error's code instead of a transport-specific failure.
 */
function perEvent(source: AsyncIterator<unknown>, run: (payload: unknown) => Promise<LiveResult>): LiveStream {
  let done = false;
  const stop = async (): Promise<IteratorResult<LiveResult>> => {
    done = true;
    await source.return?.();
    return { done: true, value: undefined };
  };
  return {
    async next() {
      if (done) return { done: true, value: undefined };
      try {
        const step = await source.next();
        if (step.done) return await stop();
        return { done: false, value: await run(step.value) };
      } catch (error) {
        await stop();
        return { done: false, value: { errors: [toGraphQLError(error)] } };
      }
    },
    return: stop,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export class LiveExecutor {
  constructor(
    private readonly services: GatewayServices,
    /** Deadline of one event's execution (REQUEST_TIMEOUT_MS). */
    private readonly eventTimeoutMs: number,
  ) {}

  /** A stream of results, or one result with the errors that refused the subscription. */
  async run(operation: CheckedOperation, who: Subscribing): Promise<LiveStream | ExecutionResult> {
    const { schema, document, operationName, variableValues } = operation;
    const contextFor = () =>
      createContext(this.services, {
        requestId: who.requestId,
        clientId: who.clientId,
        shareKey: who.shareKey,
        signal: AbortSignal.any([who.signal, AbortSignal.timeout(this.eventTimeoutMs)]),
        deadline: Date.now() + this.eventTimeoutMs,
      });
    const source = await createSourceEventStream({
      schema,
      document,
      operationName,
      variableValues,
      rootValue: who.root,
      contextValue: contextFor(),
    });
    if (!isAsyncIterable(source)) return source;
    return perEvent(source[Symbol.asyncIterator](), async (payload) => {
      const result: LiveResult = await execute({
        schema,
        document,
        operationName,
        variableValues,
        rootValue: payload,
        contextValue: contextFor(),
      });
      if (isUpdateEvent(payload)) result[EVENT_ID] = String(payload.usn);
      return result;
    });
  }
}
