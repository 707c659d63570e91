/**
 * A raw HTTP/1.1 client, for what servers receive but client libraries will not send: a request
 * pipelined behind an oversized body, an upgrade behind it. Writes `parts` in order, ends its side
 * when told to, and resolves with everything it read once the server has closed the connection.
 */
import { connect } from 'node:net';

export function sendRaw(port: number, parts: ReadonlyArray<string | Buffer>, options: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('error', () => undefined); // a reset: what was read says the rest
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(received).toString('latin1')));
    for (const part of parts) socket.write(part);
    if (options.end) socket.end();
  });
}
