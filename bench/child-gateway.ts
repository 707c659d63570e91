/**
 * The gateway in its own process, exactly as `npm start` runs it (logs included, to /dev/null),
 * answering `stats` with its CPU time and RSS so the benchmark can charge the gateway alone.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/telemetry/logger';
import { run } from '../src/run';

async function main(): Promise<void> {
  const config = { ...loadConfig(process.env), port: 0, host: '127.0.0.1' };
  // The per-request log line is part of the cost of a query: produce it, then drop it.
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const running = await run(config, createLogger(config.logLevel, sink));
  process.send?.({ type: 'ready', url: running.gateway.url });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      process.send?.({ type: 'stats', cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
    }
  });
  process.on('disconnect', () => {
    void running.stop().then(() => process.exit(0));
  });
}

void main();
