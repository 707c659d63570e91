/**
 * Introspection rows are bounded per list kind by the schema itself: GraphiQL's standard query fits
 * the row budget, while a nested `type { fields { … } }` chain still multiplies as execution would.
 */
import { buildSchema, getIntrospectionQuery, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { walkOperation } from '../../../src/graphql/analysis/operation-walk';
import { responseShape } from '../../../src/graphql/analysis/response-shape';
import { loadTypeDefs } from '../../../src/graphql/schema';
import { DEFAULTS } from '../../../src/config/env-schema';

const schema = buildSchema(loadTypeDefs());

function rowsOf(query: string): number {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return responseShape(schema, walkOperation(schema, operation, { variables: {}, fragments })).rows;
}

describe('introspection rows', () => {
  it("admit GraphiQL's full introspection query within the default row budget", () => {
    const rows = rowsOf(
      getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true, specifiedByUrl: true, directiveIsRepeatable: true }),
    );
    expect(rows).toBeGreaterThan(100);
    expect(rows).toBeLessThanOrEqual(DEFAULTS.MAX_QUERY_ROWS);
  });

  it('still multiply along nested type → fields chains', () => {
    const flat = rowsOf('{ __schema { types { fields { name } } } }');
    const nested = rowsOf('{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }');
    expect(nested).toBeGreaterThan(flat * 100);
    expect(nested).toBeGreaterThan(DEFAULTS.MAX_QUERY_ROWS);
  });
});
