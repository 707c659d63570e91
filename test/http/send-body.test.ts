/**
 * A whole answer sent over a real socket: its bytes are the body's UTF-8, whatever characters it
 * holds, with a content-length that matches (compression aside, which sessions.test.ts covers).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { sendBody } from '../../src/http/compression';

let server: Server;
let body = '';

beforeAll(async () => {
  server = createServer((req, res) => void sendBody(req, res, body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function fetchBody(): Promise<{ bytes: Buffer; length: string | string[] | undefined }> {
  const { port } = server.address() as AddressInfo;
  const response = await request(`http://127.0.0.1:${port}/`);
  return { bytes: Buffer.from(await response.body.arrayBuffer()), length: response.headers['content-length'] };
}

const json = (name: string, rows: number): string =>
  JSON.stringify({ data: { items: Array.from({ length: rows }, (_, index) => ({ index, name })) } });

it.each([
  ['ASCII', json('web-01', 2_000)],
  ['Latin-1 letters', json('Sauvegarde journalière', 2_000)],
  ['characters beyond Latin-1 and astral ones', json('备份 ✓ 😀', 2_000)],
  ['a small body', json('journalière 😀', 3)],
])('sends %s as its exact UTF-8 bytes with a matching content-length', async (_label, text) => {
  body = text;
  const { bytes, length } = await fetchBody();
  expect(bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
  expect(Number(length)).toBe(Buffer.byteLength(text));
});
