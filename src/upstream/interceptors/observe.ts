/**
 * The innermost interceptor: tells observers (logs, metrics) about every call that goes on the
 * wire, with its outcome, and counts it for the caller. Never the URL, never a header.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { UpstreamError } from '../errors';
import { contextOf, toHttpError, toUpstreamError, type Interceptor, type UpstreamCallContext } from '../transport';
import { ForwardingHandler } from './handler';

/** What an observer learns about each call. */
export interface UpstreamCallInfo {
  endpoint: string;
  method: string;
  status: number | undefined;
  durationMs: number;
  error: UpstreamError | undefined;
}

export interface UpstreamCallObserver {
  /** A call is about to be sent (for in-flight gauges). */
  start?(endpoint: string): void;
  /** A call ended, with its outcome. */
  end?(info: UpstreamCallInfo): void;
}

/** Failed answers are small problem bodies; a larger one is not read for its errorCode. */
const MAX_PROBLEM_BYTES = 16_384;

export function observeCalls(observers: readonly UpstreamCallObserver[]): Interceptor {
  return (dispatch) => (options, handler) => {
    const context = contextOf(options);
    if (context.stats) context.stats.upstreamCalls += 1;
    for (const observer of observers) observer.start?.(context.endpoint);
    const started = performance.now();
    const notify = (status: number | undefined, error: UpstreamError | undefined): void => {
      const info: UpstreamCallInfo = {
        endpoint: context.endpoint,
        method: options.method,
        status,
        durationMs: performance.now() - started,
        error,
      };
      for (const observer of observers) observer.end?.(info);
    };
    // A 404 the call expects (a session that protects nothing: `cacheNotFound`) is an answer, not a
    // failure: counted by status, but no warning and no error span for every dashboard that shows one.
    const notFoundIsAnswer = context.cacheNotFound === true;
    return dispatch(options, new ObservingHandler(handler, context, notFoundIsAnswer, notify));
  };
}

class ObservingHandler extends ForwardingHandler {
  private status: number | undefined;
  private headers: IncomingHttpHeaders = {};
  private problem: Buffer[] = [];
  private problemBytes = 0;
  private done = false;

  constructor(
    next: Dispatcher.DispatchHandler,
    /** Its signal is read only on a failure (cache.ts makes a shared call's on demand). */
    private readonly context: UpstreamCallContext,
    private readonly notFoundIsAnswer: boolean,
    private readonly notify: (status: number | undefined, error: UpstreamError | undefined) => void,
  ) {
    super(next);
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    message?: string,
  ): void {
    this.status = statusCode;
    this.headers = headers;
    super.onResponseStart(controller, statusCode, headers, message);
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.failed() && this.problemBytes < MAX_PROBLEM_BYTES) {
      this.problem.push(chunk);
      this.problemBytes += chunk.length;
    }
    super.onResponseData(controller, chunk);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.finish(
      this.failed()
        ? toHttpError(this.context.endpoint, this.status ?? 0, this.headers, Buffer.concat(this.problem).toString('utf8'))
        : undefined,
    );
    super.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(toUpstreamError(error, this.context.endpoint, this.context.signal));
    super.onResponseError(controller, error);
  }

  private failed(): boolean {
    if (this.status === undefined || (this.status >= 200 && this.status < 300)) return false;
    return !(this.status === 404 && this.notFoundIsAnswer);
  }

  private finish(error: UpstreamError | undefined): void {
    if (this.done) return;
    this.done = true;
    this.notify(this.status, error);
  }
}
