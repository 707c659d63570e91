/**
 * Cache-Control hints that follow the upstream cache rules, always PRIVATE: responses are
 * authorised per client, so a shared HTTP cache must never serve one client's answer to another.
 */
import { maybeCacheControlFromInfo } from '@apollo/cache-control-types';
import type { GraphQLResolveInfo } from 'graphql';

export function hintMaxAge(info: GraphQLResolveInfo, seconds: number): void {
  maybeCacheControlFromInfo(info)?.setCacheHint({ maxAge: Math.floor(seconds), scope: 'PRIVATE' });
}
