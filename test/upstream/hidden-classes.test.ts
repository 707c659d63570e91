/**
 * The objects made on every upstream call share their hidden classes from call to call. On Node 20's
 * V8 a property added after a spread (`{ ...base, extra }`) makes a new map on every evaluation once
 * the site is warm, in the old generation (src/upstream/with-fields.ts); an object literal's getter
 * does the same and also keeps its closure alive (handler.ts, cache.ts). Read with V8's own
 * %HaveSameMap on the options each call reaches the connection pool with.
 */
import { setFlagsFromString } from 'node:v8';
import { Pool, type Dispatcher } from 'undici';
import { detachedController } from '../../src/upstream/interceptors/handler';
import { DEFAULT_RETRY, retryReads } from '../../src/upstream/interceptors/retry';
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

describe('an upstream call, as it reaches the connection pool', () => {
  let stack: Stack;
  let dispatched: Dispatcher.DispatchOptions[];

  beforeEach(async () => {
    dispatched = [];
    const dispatch = Pool.prototype.dispatch;
    jest.spyOn(Pool.prototype, 'dispatch').mockImplementation(function (this: Pool, options, handler) {
      dispatched.push(options);
      return dispatch.call(this, options, handler);
    });
    stack = await startStack({ env: { CACHE_FINISHED_TTL_MS: '0' } });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await stack.close();
  });

  it('has the same hidden classes as the call before it: options, headers and the gateway context', async () => {
    const itemCalls = (): Dispatcher.DispatchOptions[] => dispatched.filter((options) => options.path.includes('/protectedItems'));
    for (let round = 0; round < 3; round += 1) {
      const result = await stack.gql('{ sessions(page: {limit: 30}) { items { id protectedItems(page: {limit: 5}) { totalCount } } } }');
      expect(result.errors).toBeUndefined();
    }
    const calls = itemCalls().slice(-10);
    expect(calls).toHaveLength(10);
    const [reference, ...rest] = calls as [Dispatcher.DispatchOptions, ...Dispatcher.DispatchOptions[]];
    const upstreamOf = (options: Dispatcher.DispatchOptions): object =>
      (options as Dispatcher.DispatchOptions & { upstream: object }).upstream;
    for (const options of rest) {
      expect(haveSameMap(options, reference)).toBe(true);
      expect(haveSameMap(options.headers as object, reference.headers as object)).toBe(true);
      expect(haveSameMap(upstreamOf(options), upstreamOf(reference))).toBe(true);
      expect(hasFastProperties(upstreamOf(options))).toBe(true);
    }
  });
});
