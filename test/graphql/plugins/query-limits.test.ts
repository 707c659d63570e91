/** The operation analysis runs once per (document, variables), not once per request. */
import * as queryCost from '../../../src/graphql/analysis/query-cost';
import { startStack, type Stack } from '../../helpers/stack';

describe('query limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ simulator: { sessionCount: 50 } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('analyse a repeated dashboard once, and again for other variables', async () => {
    const analyse = jest.spyOn(queryCost, 'operationShape');
    const query = 'query Page($limit: Int) { sessions(page: { limit: $limit }) { totalCount items { id } } }';
    for (let i = 0; i < 3; i += 1) expect((await stack.gql(query, { limit: 5 })).errors).toBeUndefined();
    expect(analyse).toHaveBeenCalledTimes(1);
    expect((await stack.gql(query, { limit: 6 })).errors).toBeUndefined();
    expect(analyse).toHaveBeenCalledTimes(2);
    analyse.mockRestore();
  });
});
