/**
 * The token answer's `.issued` / `.expires`, read with the one upstream time parser (time.ts) when
 * `expires_in` is absent: zone-less (UTC), offsets, 7 fraction digits, and the DateTime.MinValue
 * sentinel. Token calls go to a stub dispatch; expiry is judged on a clock the test moves.
 */
import type { Dispatcher } from 'undici';
import { TokenManager } from '../../src/upstream/token-manager';
import { detachedController } from '../../src/upstream/interceptors/handler';
import { captureLogs, ManualClock } from '../helpers/upstream';

function managerAnswering(body: Record<string, unknown>, clock: ManualClock): TokenManager {
  const tokens = new TokenManager({ username: 'u', password: 'p' }, captureLogs().logger, {
    apiVersion: '1.7-rev0',
    basePath: '/api/v1',
    now: clock.now,
  });
  tokens.useDispatch((_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
    const controller = detachedController();
    setImmediate(() => {
      handler.onResponseStart?.(controller, 200, { 'content-type': 'application/json' }, '');
      handler.onResponseData?.(controller, Buffer.from(JSON.stringify({ access_token: 'a', token_type: 'bearer', ...body })));
      handler.onResponseEnd?.(controller, {});
    });
    return true;
  });
  return tokens;
}

const MINUTE = 60_000;

describe('token lifetime from .issued/.expires (no expires_in)', () => {
  it.each([
    ['zone-less (UTC) with 7 fraction digits', '2026-11-01T00:00:00.0000000', '2026-11-01T00:10:00.0000000'],
    ['offsets on both', '2026-11-01T02:00:00+02:00', '2026-10-31T19:10:00-05:00'],
    ['Z and an offset', '2026-11-01T00:00:00Z', '2026-11-01T01:10:00+01:00'],
  ])('%s: 10 minutes', async (_form, issued, expires) => {
    const clock = new ManualClock();
    const tokens = managerAnswering({ '.issued': issued, '.expires': expires }, clock);
    await tokens.getAccessToken();
    clock.advance(9 * MINUTE);
    expect(tokens.hasValidToken()).toBe(true);
    clock.advance(MINUTE + 1_000);
    expect(tokens.hasValidToken()).toBe(false);
  });

  it('a DateTime.MinValue .expires is no expiry: the token is kept until the appliance refuses it', async () => {
    const clock = new ManualClock();
    const tokens = managerAnswering({ '.issued': '2026-11-01T00:00:00', '.expires': '0001-01-01T00:00:00' }, clock);
    await tokens.getAccessToken();
    clock.advance(365 * 24 * 60 * MINUTE);
    expect(tokens.hasValidToken()).toBe(true);
  });
});
