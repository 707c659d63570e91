/**
 * What the live feed needs of the configuration (config/ reads LIVE_* into this at start-up).
 */
export interface LiveSettings {
  /** How often the one poller asks the appliance for changed sessions. */
  pollMs: number;
  /** Changes kept for resuming subscribers; also how far behind a subscriber may fall before it is cut off. */
  replayWindow: number;
  /** Open subscriptions one client may hold at once. */
  maxSubscriptionsPerClient: number;
  /** Open WebSocket connections one client may hold at once (each carries any number of subscriptions). */
  maxWebSocketsPerClient: number;
  /** Keep-alive interval of both transports (SSE comment lines, WebSocket pings). */
  heartbeatMs: number;
}

export const LIVE_DEFAULTS: LiveSettings = {
  /** A dashboard is content with changes within seconds; one list call per 5 s is nothing to the appliance. */
  pollMs: 5_000,
  /** A busy appliance makes a few hundred changes an hour: a window of 1,000 covers a laptop's sleep. */
  replayWindow: 1_000,
  /** A wall of dashboards is a few dozen views per client; more is a leak or abuse. */
  maxSubscriptionsPerClient: 50,
  /**
   * graphql-ws carries all of a page's subscriptions over one connection, so a client needs one per
   * open tab or process: as many as its subscriptions covers every honest use. Without it, one client
   * could hold every one of MAX_CONNECTIONS with idle sockets and leave none for the others.
   */
  maxWebSocketsPerClient: 50,
  /** Under the 30–60 s idle timeouts of common proxies and load balancers. */
  heartbeatMs: 15_000,
};
