/**
 * The client gate over real sockets: a client that leaves while it is being authenticated gives
 * back its share of requests in progress (it used to keep it for good).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import pino from 'pino';
import type { Authenticator } from '../../src/http/auth/index';
import { createClientGate } from '../../src/http/client-gate';
import { InFlightLimit } from '../../src/http/in-flight';
import { RateLimiter } from '../../src/http/rate-limit';

let server: Server;

afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('a client gone during authentication does not keep its slot of requests in progress', async () => {
  let letIn: () => void = () => undefined;
  const authenticating = new Promise<void>((resolve) => (letIn = resolve));
  const authenticator: Authenticator = {
    mode: 'apikey',
    authenticate: async () => {
      await authenticating; // as a JWKS fetch would take a while
      return { id: 'slow', mode: 'apikey' };
    },
  };
  const inFlight = new InFlightLimit(4);
  const gate = createClientGate({
    authenticator,
    limiter: new RateLimiter({ ratePerSecond: 0, burst: 0 }),
    corsOrigins: [],
    logger: pino({ enabled: false }),
    inFlight: { graphql: inFlight },
  });
  const admitted = new Promise<unknown>((resolve) => {
    server = createServer((req, res) => {
      req.once('close', () => letIn());
      void gate.admit(req, res).then(resolve);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1', () => {
    socket.write('GET /graphql HTTP/1.1\r\nHost: x\r\n\r\n');
    setTimeout(() => socket.destroy(), 20);
  });
  expect(await admitted).toMatchObject({ id: 'slow' });
  expect(inFlight.inFlight('slow')).toBe(0);
});
