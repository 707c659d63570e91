/**
 * Building blocks for interceptors written against undici 7's handler API
 * (onRequestStart / onResponseStart / onResponseData / onResponseEnd / onResponseError).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

type Controller = Dispatcher.DispatchController;
type Handler = Dispatcher.DispatchHandler;

/** Forwards every event to the wrapped handler; subclasses override what they watch. */
export class ForwardingHandler implements Handler {
  constructor(protected readonly next: Handler) {}

  onRequestStart(controller: Controller, context: unknown): void {
    this.next.onRequestStart?.(controller, context);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: IncomingHttpHeaders, statusMessage?: string): void {
    this.next.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.next.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: IncomingHttpHeaders): void {
    this.next.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Controller, error: Error): void {
    this.next.onResponseError?.(controller, error);
  }
}

/**
 * The controller handed over when an interceptor fails or answers a call that never reached a socket.
 * A class: an object literal's getters are new closures per call, held from the old generation until
 * the next full collection (see SharedCallSignal in cache.ts); a warm dashboard replays ~45 kept
 * answers.
 */
class DetachedController implements Controller {
  #aborted = false;
  #reason: Error | null = null;

  get aborted(): boolean {
    return this.#aborted;
  }

  get paused(): boolean {
    return false;
  }

  get reason(): Error | null {
    return this.#reason;
  }

  abort(why: Error): void {
    this.#aborted = true;
    this.#reason = why;
  }

  pause(): void {}

  resume(): void {}
}

export function detachedController(): Controller {
  return new DetachedController();
}

/** Ends a call with `error` without dispatching it. */
export function failCall(handler: Handler, error: Error): void {
  handler.onResponseError?.(detachedController(), error);
}

/** A whole answer, as an interceptor that holds it back (token, cache) replays it. */
export interface HeldResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Plays a held answer to `handler` as if it came from the socket. */
export function replay(handler: Handler, response: HeldResponse, controller: Controller = detachedController()): void {
  handler.onRequestStart?.(controller, {});
  if (controller.aborted) return;
  handler.onResponseStart?.(controller, response.status, response.headers, '');
  if (response.body.length > 0) handler.onResponseData?.(controller, response.body);
  handler.onResponseEnd?.(controller, {});
}
