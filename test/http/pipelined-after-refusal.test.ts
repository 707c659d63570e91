/**
 * A request pipelined behind a body refused for its size is never served: the 413 closes the
 * connection, so its answer could never be sent, and serving it would only cost the appliance calls.
 */
import type { AddressInfo } from 'node:net';
import { HttpError, readJsonBody, refuseRequest } from '../../src/http/body';
import { createHttpServer } from '../../src/http/server';
import type { Route } from '../../src/http/route';
import { sendRaw } from '../helpers/raw-http';
import { captureLogs } from '../helpers/upstream';

const MAX_BODY_BYTES = 64 * 1024;

it('serves nothing pipelined behind a body refused for its size', async () => {
  const served: string[] = [];
  const route: Route = {
    name: 'recording',
    async handle({ req, res }) {
      served.push(req.url ?? '');
      try {
        await readJsonBody(req, MAX_BODY_BYTES);
        res.end('{}');
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        refuseRequest(req, res, error);
      }
      return true;
    },
  };
  const server = createHttpServer([route], captureLogs().logger, {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    maxConnections: Infinity,
    maxBodyBytes: MAX_BODY_BYTES,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const oversized = 4 * MAX_BODY_BYTES;
    const answer = await sendRaw(
      (server.address() as AddressInfo).port,
      [
        `POST /oversized HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: ${oversized}\r\n\r\n`,
        Buffer.alloc(oversized, 'x'),
        'POST /pipelined HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      ],
      { end: true },
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    // Node parses the pipelined request while the 413 drains, before the connection closes.
    expect(served).toEqual(['/oversized']);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
