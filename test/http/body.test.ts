/**
 * Reading a request's body over real sockets: a request whose client left before the body was read
 * rejects at once instead of waiting for events that will never come.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { ClientGoneError, readJsonBody } from '../../src/http/body';

let server: Server;

afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('rejects, instead of hanging, when the client has gone before the body is read', async () => {
  const read = new Promise<unknown>((resolve) => {
    server = createServer((req: IncomingMessage) => {
      // As when authentication takes a while: the client leaves before the route reads the body.
      req.once('close', () =>
        resolve(
          readJsonBody(req).then(
            () => 'read',
            (error: unknown) => error,
          ),
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1', () => {
    socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    setTimeout(() => socket.destroy(), 20);
  });
  expect(await read).toBeInstanceOf(ClientGoneError);
});
