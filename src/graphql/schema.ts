/**
 * Loads the schema-first SDL from `schema/*.graphql` once, at start-up, and binds the resolvers to it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { resolvers } from './resolvers/index';

/** The folder holding the SDL: `schema/` at the project root, from src/ (ts) or dist/src/ (built). */
function schemaDir(): string {
  for (const candidate of [resolve(__dirname, '../../schema'), resolve(__dirname, '../../../schema')]) {
    if (existsSync(join(candidate, 'query.graphql'))) return candidate;
  }
  throw new Error(`schema/*.graphql not found near ${__dirname}`);
}

export function loadTypeDefs(): string {
  const dir = schemaDir();
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'))
    .join('\n');
}

/** The executable schema: the SDL with the gateway's resolvers (one schema for HTTP and live transports). */
export function buildGatewaySchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers });
}
