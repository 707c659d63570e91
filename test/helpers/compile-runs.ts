/**
 * Runs one document three times over the real gateway (one interpreted run, then compiled ones when
 * the executor admits it) and tells whether graphql-jit really compiled in between. The calling test
 * file wraps `compileQuery` with `jest.mock('graphql-jit', …)` and passes the mock in.
 */
import { getOperationAST, parse } from 'graphql';
import * as jit from 'graphql-jit';
import { request } from 'undici';
import { compilable } from '../../src/graphql/executor';
import type { Stack } from './stack';

export interface Answer {
  status: number;
  body: unknown;
}

export interface Runs {
  answers: Answer[];
  /** Upstream calls the simulator received during each run. */
  calls: number[];
  /** Whether a compile that produced a compiled query happened during these runs. */
  compiled: boolean;
  /** Whether the executor's shape rule (`compilable`) admits the document. */
  admitted: boolean;
}

/** Whether the executor would compile this operation of `text`. */
export function admits(text: string, operationName?: string): boolean {
  const document = parse(text);
  return getOperationAST(document, operationName)?.operation === 'query' && compilable(document);
}

/** The interpreted answer is the later answers' reference: same status, same data, same errors. */
export function expectSameAnswers({ answers }: Pick<Runs, 'answers'>): void {
  const [interpreted, ...later] = answers;
  for (const answer of later) expect(answer).toEqual(interpreted);
}

export function compileRuns(stack: () => Stack, compileQuery: jest.MockedFunction<typeof jit.compileQuery>) {
  /** A comment makes each text (Apollo's document store key) new: every `thrice` starts interpreted. */
  let fresh = 0;

  async function post(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Answer> {
    const response = await request(`${stack().gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables, ...(operationName !== undefined ? { operationName } : {}) }),
    });
    return { status: response.statusCode, body: await response.body.json() };
  }

  async function thrice(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<Runs> {
    const text = `${query}\n# run ${(fresh += 1)}`;
    const before = compileQuery.mock.results.length;
    const answers: Answer[] = [];
    const calls: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      stack().sim.counters.reset();
      answers.push(await post(text, variables, operationName));
      calls.push(stack().sim.counters.total());
    }
    const compiled = compileQuery.mock.results
      .slice(before)
      .some((result) => result.type === 'return' && jit.isCompiledQuery(result.value as Parameters<typeof jit.isCompiledQuery>[0]));
    return { answers, calls, compiled, admitted: admits(text, operationName) };
  }

  /** The id of a simulator session matching `predicate`. */
  function sessionId(predicate: (session: Stack['sim']['data']['sessions'][number]) => boolean): string {
    const found = stack().sim.data.sessions.find(predicate);
    if (!found) throw new Error('no such session in the simulator');
    return found.id;
  }

  return { post, thrice, sessionId };
}
