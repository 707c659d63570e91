/** The limits every request of the gateway works within (validated configuration). */
export interface GatewayLimits {
  /** Largest `page.limit` a client may ask for. */
  maxPageLimit: number;
  /** Largest Limit sent upstream in one call; larger pages are assembled from several calls. */
  upstreamPageSize: number;
  /** Budget of upstream calls of one query (also checked at run time where data decides the cost). */
  maxQueryCost: number;
}

/** A page's size when the client names none: a dashboard's worth. */
export const DEFAULT_PAGE_LIMIT = 50;
