/**
 * The options of the upstream layer: how the gateway talks to one appliance. config/ fills them from
 * the environment; the layer itself never reads it.
 */
/** How the gateway talks to an appliance, whichever it is (also the demo simulator). */
export interface UpstreamTuning {
  apiVersion: string;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  /** `auto`: HTTP/2 when the appliance offers it by ALPN, else HTTP/1.1; `off`: HTTP/1.1 only. */
  http2: 'auto' | 'off';
  /** Largest Limit the gateway asks of the appliance in one call. */
  pageSize: number;
  /** Upstream calls waiting for a connection beyond which new ones are refused (load shedding). */
  maxQueue: number;
  retry: { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };
  breaker: { failureThreshold: number; openMs: number };
  cache: {
    /** How long a finished session's protected items are kept. 0 = not kept. */
    finishedItemsTtlMs: number;
    /** How long lists, sessions, logs and a running session's items are kept. 0 = not kept. */
    liveTtlMs: number;
    maxEntries: number;
    maxBytes: number;
  };
}

export interface UpstreamConfig extends UpstreamTuning {
  baseUrl: string;
  username: string;
  password: string;
  caFile: string | undefined;
  /** PEM text of caFile, read once here. */
  ca: string | undefined;
  tlsInsecure: boolean;
}
