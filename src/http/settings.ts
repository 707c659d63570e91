/**
 * What the HTTP layer needs of the configuration: its slice, handed over by config/ at start-up.
 */
import type { AuthSettings } from './auth/settings';

export interface HostileLoadSettings {
  /** GraphQL requests one client may have in progress (429 beyond). */
  maxClientRequests: number;
  /** Exports one client may stream at once (429 beyond). */
  maxClientExports: number;
  /** Deadline of one export. */
  exportTimeoutMs: number;
  /** New client requests are refused (503) above this share of the heap limit. */
  maxHeapUsedPercent: number;
  /** node:http headersTimeout and requestTimeout: how long a client may take to send its request. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** server.maxConnections. */
  maxConnections: number;
  /** Proxies in front whose X-Forwarded-For entries are believed (0: the socket's address). */
  trustProxyHops: number;
}

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
  queryLimits: { maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number; maxRows: number };
  /** Fair shares and survival under hostile load. */
  hostileLoad: HostileLoadSettings;
  /** Upstream pages (and item calls) an export keeps in flight. */
  exportConcurrency: number;
  /** Persisted operations: the mode, and the manifest (codegen's persisted-documents.json or Apollo's list). */
  trustedDocuments?: { mode: 'off' | 'allow' | 'require'; file: string | undefined };
}
