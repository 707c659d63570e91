/**
 * The gateway in its own process, exactly as `npm start` runs it (logs included, to /dev/null),
 * answering `stats` with its CPU time, RSS and the most upstream calls it had in flight at once since
 * the last `stats` (read from undici's diagnostics channels: the appliance budget, seen from outside).
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/telemetry/logger';
import { run } from '../src/run';

/** Upstream calls in flight: from request creation to its last byte (or its failure). */
function watchInflight(): { take(): number } {
  let inflight = 0;
  let max = 0;
  subscribe('undici:request:create', () => {
    inflight += 1;
    if (inflight > max) max = inflight;
  });
  const done = (): void => {
    inflight -= 1;
  };
  subscribe('undici:request:trailers', done);
  subscribe('undici:request:error', done);
  return {
    take() {
      const seen = max;
      max = inflight;
      return seen;
    },
  };
}

/** The gateway's open connections to the appliance, by protocol (h2, or http/1.1). */
function watchConnections(): { open(): Record<string, number> } {
  const sockets = new Set<{ destroyed: boolean; alpnProtocol?: string | false }>();
  subscribe('undici:client:connected', (message) => {
    sockets.add((message as { socket: { destroyed: boolean; alpnProtocol?: string | false } }).socket);
  });
  return {
    open() {
      const byProtocol: Record<string, number> = {};
      for (const socket of sockets) {
        if (socket.destroyed) {
          sockets.delete(socket);
          continue;
        }
        const protocol = socket.alpnProtocol || 'http/1.1';
        byProtocol[protocol] = (byProtocol[protocol] ?? 0) + 1;
      }
      return byProtocol;
    },
  };
}

/**
 * BENCH_ALLOCATIONS=<file>: samples every allocation (collected ones too, which --heap-prof leaves out)
 * and writes a .heapprofile at exit: where the garbage collector's work comes from.
 */
function sampleAllocations(file: string | undefined): () => void {
  if (!file) return () => undefined;
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return () =>
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    });
}

async function main(): Promise<void> {
  const inflight = watchInflight();
  const connections = watchConnections();
  const stopSampling = sampleAllocations(process.env['BENCH_ALLOCATIONS']);
  const config = { ...loadConfig(process.env), port: 0, host: '127.0.0.1' };
  // The per-request log line is part of the cost of a query: produce it, then drop it.
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const running = await run(config, createLogger(config.logLevel, sink));
  process.send?.({
    type: 'ready',
    url: running.gateway.url,
    maxConnections: config.upstream?.maxConnections,
    apiVersion: config.upstream?.apiVersion,
  });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stats') {
      process.send?.({
        type: 'stats',
        cpu: process.cpuUsage(),
        rss: process.memoryUsage().rss,
        maxInflight: inflight.take(),
        connectionsOpen: connections.open(),
      });
    }
  });
  process.on('disconnect', () => {
    // Exit normally (not by signal) so that --cpu-prof writes its profile.
    stopSampling();
    void running.stop().then(() => process.exit(0));
  });
}

void main();
