/**
 * The objects made on every upstream call share their hidden classes from call to call. On Node 20's
 * V8 a property added after a spread (`{ ...base, extra }`) makes a new map on every evaluation once
 * the site is warm, in the old generation (src/upstream/with-fields.ts); an object literal's getter
 * does the same and also keeps its closure alive (handler.ts, cache.ts). Read with V8's own
 * %HaveSameMap on the options each call reaches the connection pool with.
 */
import { setFlagsFromString } from 'node:v8';
import { Pool, type Dispatcher } from 'undici';
import { RequestLog } from '../../src/http/plugins/request-log';
import { UpstreamTransport } from '../../src/upstream/chain';
import { detachedController } from '../../src/upstream/interceptors/handler';
import { DEFAULT_RETRY, retryReads } from '../../src/upstream/interceptors/retry';
import type { Dispatch } from '../../src/upstream/transport';
import { VeeamClient } from '../../src/upstream/veeam-client';
import { withFields } from '../../src/upstream/with-fields';
import { startStack, type Stack } from '../helpers/stack';

setFlagsFromString('--allow-natives-syntax');
// V8's intrinsic syntax parses only in a function made after the flag is set.
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
// A literal's getter leaves its object in dictionary mode (all such objects share one map).
const hasFastProperties = new Function('a', 'return %HasFastProperties(a)') as (a: object) => boolean;

/** Past V8's warm-up: the first evaluations of a site still follow cached transitions. */
const WARM = 20;

const callContext = (deadline: number): Record<string, unknown> => ({ endpoint: 'GET /x', signal: undefined, deadline });

describe('the hidden-class probe', () => {
  it('tells objects of other shapes apart, and says objects of one shape share a map', () => {
    expect(haveSameMap({ a: 1 }, { a: 2 })).toBe(true);
    expect(haveSameMap({ a: 1 }, { b: 1 })).toBe(false);
  });
});

describe('withFields', () => {
  it('makes every copy with one hidden class, past the warm-up', () => {
    const copies = Array.from({ length: WARM + 5 }, (_, i) => withFields(callContext(i), { cacheNotFound: true }));
    for (const copy of copies.slice(WARM)) expect(haveSameMap(copy, copies[WARM - 1] as object)).toBe(true);
    expect(copies[WARM]).toEqual({ endpoint: 'GET /x', signal: undefined, deadline: WARM, cacheNotFound: true });
  });

  it('lets the extra fields win, as a spread does', () => {
    expect(withFields({ a: 1, b: 2 }, { b: 3 })).toEqual({ a: 1, b: 3 });
    expect(Object.keys(withFields({ a: 1, b: 2 }, { c: 3, b: 4 }))).toEqual(['a', 'b', 'c']);
    expect(withFields(undefined, { c: 1 })).toEqual({ c: 1 });
  });
});

describe('detachedController', () => {
  it('keeps its accessors on its class: one map for all, nothing of its own to define per call', () => {
    const controllers = Array.from({ length: WARM }, () => detachedController());
    const [first, last] = [controllers[0], controllers[WARM - 1]] as [Dispatcher.DispatchController, Dispatcher.DispatchController];
    expect(haveSameMap(first, last)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(first, 'aborted')).toBeUndefined();
    first.abort(new Error('stop'));
    expect([first.aborted, first.reason?.message, last.aborted, last.reason]).toEqual([true, 'stop', false, null]);
  });
});

describe("undici's retry, under the gateway's", () => {
  it('copies each call into one hidden class: the properties it adds after a spread are there already', () => {
    const handlers: Array<{ opts?: object }> = [];
    const send = retryReads(DEFAULT_RETRY)((_options, handler) => {
      handlers.push(handler as { opts?: object });
      return true;
    });
    for (let i = 0; i < WARM + 5; i += 1) {
      send(
        { method: 'GET', path: `/sessions/${i}/log`, origin: 'http://appliance', upstream: callContext(i) } as Dispatcher.DispatchOptions,
        {},
      );
    }
    // RetryHandler keeps its copy of the options (undici 7: `this.opts`) to dispatch a retry with.
    const copies = handlers.map((handler) => handler.opts).filter((opts): opts is object => opts !== undefined);
    expect(copies).toHaveLength(WARM + 5);
    for (const copy of copies.slice(WARM)) expect(haveSameMap(copy, copies[WARM - 1] as object)).toBe(true);
  });
});

describe('an upstream call, at each layer it passes', () => {
  let stack: Stack;
  /** Objects seen per layer, in call order (item calls only). */
  let seen: Record<'pool' | 'pool.upstream' | 'pool.headers' | 'chain' | 'chain.upstream' | 'client' | 'callOptions' | 'request', object[]>;

  beforeEach(async () => {
    seen = { pool: [], 'pool.upstream': [], 'pool.headers': [], chain: [], 'chain.upstream': [], client: [], callOptions: [], request: [] };
    const poolDispatch = Pool.prototype.dispatch;
    jest.spyOn(Pool.prototype, 'dispatch').mockImplementation(function (this: Pool, options, handler) {
      if (options.path.includes('/protectedItems')) {
        seen.pool.push(options);
        seen['pool.upstream'].push((options as Dispatcher.DispatchOptions & { upstream: object }).upstream);
        seen['pool.headers'].push(options.headers as object);
      }
      return poolDispatch.call(this, options, handler);
    });
    // What veeam-client.ts hands the chain (its call context).
    const transportGet = UpstreamTransport.prototype.get;
    jest.spyOn(UpstreamTransport.prototype, 'get').mockImplementation(function (this: UpstreamTransport, request) {
      if (request.path.includes('/protectedItems')) seen.client.push(request.context);
      return transportGet.call(this, request);
    });
    // What loaders.ts hands the client (the request's call options, with the session's state).
    const listItems = VeeamClient.prototype.listProtectedItems;
    jest.spyOn(VeeamClient.prototype, 'listProtectedItems').mockImplementation(function (this: VeeamClient, id, params, options) {
      if (options) seen.callOptions.push(options);
      return listItems.call(this, id, params, options);
    });
    // Each request's context as graphql/context.ts makes it (the route binds it to the request's log).
    const begin = RequestLog.prototype.begin;
    jest.spyOn(RequestLog.prototype, 'begin').mockImplementation(function (this: RequestLog, ...args) {
      const observed = begin.apply(this, args);
      const bind = observed.bind.bind(observed);
      observed.bind = (context) => {
        seen.request.push(context);
        return bind(context);
      };
      return observed;
    });
    stack = await startStack({ env: { CACHE_FINISHED_TTL_MS: '0' } });
    // What chain.ts dispatches into the interceptors (before the cache interceptor rebuilds its context).
    const transport = stack.gateway.upstream.http as unknown as { dispatch: Dispatch };
    const chainDispatch = transport.dispatch;
    transport.dispatch = (options, handler) => {
      if (options.path.includes('/protectedItems')) {
        seen.chain.push(options);
        seen['chain.upstream'].push((options as Dispatcher.DispatchOptions & { upstream: object }).upstream);
      }
      return chainDispatch(options, handler);
    };
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await stack.close();
  });

  it('has the same hidden classes as the call before it, from the loader to the connection pool', async () => {
    for (let round = 0; round < 3; round += 1) {
      const result = await stack.gql('{ sessions(page: {limit: 30}) { items { id protectedItems(page: {limit: 5}) { totalCount } } } }');
      expect(result.errors).toBeUndefined();
    }
    for (const [layer, objects] of Object.entries(seen).filter(([layer]) => layer !== 'request')) {
      const last = objects.slice(-10);
      expect([layer, last.length]).toEqual([layer, 10]);
      const [reference, ...rest] = last as [object, ...object[]];
      // Dictionary-mode objects (a literal's getter makes one) all share one map: look at that too.
      for (const object of rest) expect([layer, haveSameMap(object, reference), hasFastProperties(object)]).toEqual([layer, true, true]);
    }
  });

  it("gives each request's context the same hidden class", async () => {
    for (let i = 0; i < WARM + 5; i += 1) {
      expect(
        (await stack.gql('{ sessions(page: {limit: 1}) { items { protectedItems(page: {limit: 1}) { totalCount } } } }')).errors,
      ).toBeUndefined();
    }
    const contexts = seen.request.slice(-5);
    expect(contexts).toHaveLength(5);
    for (const context of contexts) expect([haveSameMap(context, contexts[0] as object), hasFastProperties(context)]).toEqual([true, true]);
  });
});
