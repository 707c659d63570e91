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
  /** Under the 30–60 s idle timeouts of common proxies and load balancers. */
  heartbeatMs: 15_000,
};
