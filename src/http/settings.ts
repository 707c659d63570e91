/**
 * What the HTTP layer needs of the configuration: its slice, handed over by config/ at start-up.
 */
import type { AuthSettings } from './auth/settings';

export interface HttpSettings {
  port: number;
  host: string;
  /** Largest `page.limit` a client may ask for. */
  maxPageLimit: number;
  /** Deadline of one GraphQL request, upstream calls and retries included. */
  requestTimeoutMs: number;
  /** Production hides internal error details from clients. */
  production: boolean;
  auth: AuthSettings;
  rateLimit: { ratePerSecond: number; burst: number };
  /** Schema introspection (GraphiQL's docs need it): on in demo mode, off otherwise unless set. */
  introspection: boolean;
  playground: boolean;
  /** Browser origins allowed to call /graphql cross-origin (CORS); empty = none. */
  corsOrigins: string[];
  maxBodyBytes: number;
  queryLimits: { maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number };
  /** Upstream pages (and item calls) an export keeps in flight. */
  exportConcurrency: number;
}
