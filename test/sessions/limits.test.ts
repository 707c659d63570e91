/** The default page size is one fact: the schema's `PageInput.limit` default is the core's constant. */
import { buildSchema, type GraphQLInputObjectType } from 'graphql';
import { loadTypeDefs } from '../../src/graphql/schema';
import { DEFAULT_PAGE_LIMIT } from '../../src/sessions/limits';

describe('DEFAULT_PAGE_LIMIT', () => {
  it('is the default of PageInput.limit in the schema', () => {
    const schema = buildSchema(loadTypeDefs());
    const pageInput = schema.getType('PageInput') as GraphQLInputObjectType;
    expect(pageInput.getFields()['limit']?.defaultValue).toBe(DEFAULT_PAGE_LIMIT);
  });
});
