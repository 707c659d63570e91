/**
 * The bearer token and API revision on every data call, from the TokenManager (the only holder of
 * the token). Two answers are handled here, each with exactly one retry of the call:
 * - 401: the token was refused; it is dropped, a fresh one obtained (single flight) and the call
 *   sent again. A second 401 means the new token is refused too, which retrying won't fix.
 * - 400 naming the API revision: the appliance was upgraded or downgraded since the login; the
 *   session is renegotiated and the call sent again at the new revision.
 * Token calls themselves go through the chain below this interceptor (breaker, queue, pool).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { UpstreamUnsupportedRevisionError } from '../errors';
import { isUnsupportedRevisionAnswer } from '../revisions';
import type { SessionCredentials, TokenManager } from '../token-manager';
import { contextOf, parseProblem, type Dispatch, type Interceptor } from '../transport';
import { withFields } from '../with-fields';
import { failCall, ForwardingHandler } from './handler';

export function tokenSession(tokens: TokenManager): Interceptor {
  return (dispatch) => {
    tokens.useDispatch(dispatch);
    return (options, handler) => {
      if (!contextOf(options).authorised) return dispatch(options, handler);
      send({ dispatch, tokens, options, handler }, true);
      return true;
    };
  };
}

/** A call on its way through this interceptor. */
interface TokenedCall {
  dispatch: Dispatch;
  tokens: TokenManager;
  options: Dispatcher.DispatchOptions;
  handler: Dispatcher.DispatchHandler;
}

/** Sends the call with the session held now, or once a login or refresh has produced one. */
function send(call: TokenedCall, mayRetry: boolean): void {
  const held = call.tokens.heldSession();
  if (held) return sendWith(call, held, mayRetry);
  call.tokens.getSession().then(
    (session) => sendWith(call, session, mayRetry),
    (error: unknown) => failCall(call.handler, error instanceof Error ? error : new Error(String(error))),
  );
}

function sendWith(call: TokenedCall, session: SessionCredentials, mayRetry: boolean): void {
  const { dispatch, tokens, options, handler } = call;
  const headers = withFields(options.headers as Record<string, string> | undefined, {
    authorization: `Bearer ${session.accessToken}`,
    'x-api-version': session.revision,
  });
  const retry = (): void => send(call, false);
  try {
    dispatch(
      { ...options, headers },
      mayRetry ? new SessionHandler(handler, tokens, session, retry, contextOf(options).endpoint) : handler,
    );
  } catch (error) {
    failCall(handler, error instanceof Error ? error : new Error(String(error)));
  }
}

/** Holds back a 401 or 400 answer until it is known whether the session, not the call, was refused. */
class SessionHandler extends ForwardingHandler {
  private held: { status: number; headers: IncomingHttpHeaders; message: string | undefined; chunks: Buffer[] } | undefined;

  constructor(
    next: Dispatcher.DispatchHandler,
    private readonly tokens: TokenManager,
    private readonly session: SessionCredentials,
    private readonly retry: () => void,
    private readonly endpoint: string,
  ) {
    super(next);
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    message?: string,
  ): void {
    if (statusCode === 401 || statusCode === 400) {
      this.held = { status: statusCode, headers, message, chunks: [] };
      return;
    }
    super.onResponseStart(controller, statusCode, headers, message);
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.held) this.held.chunks.push(chunk);
    else super.onResponseData(controller, chunk);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    const held = this.held;
    if (!held) return super.onResponseEnd(controller, trailers);
    const body = Buffer.concat(held.chunks);
    if (held.status === 401) {
      this.tokens.invalidate(this.session.accessToken);
      return this.retry();
    }
    if (isUnsupportedRevisionAnswer(held.status, parseProblem(body.toString('utf8')), this.session.revision)) {
      if (!this.tokens.negotiating) {
        return super.onResponseError(controller, new UpstreamUnsupportedRevisionError([this.session.revision], true, this.endpoint));
      }
      this.tokens.revisionRefused(this.session.revision);
      return this.retry();
    }
    super.onResponseStart(controller, held.status, held.headers, held.message);
    if (body.length > 0) super.onResponseData(controller, body);
    super.onResponseEnd(controller, trailers);
  }
}
