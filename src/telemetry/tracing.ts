/**
 * OpenTelemetry tracing with the standard SDK, loaded only when configured (main.ts imports this
 * module dynamically when an OTLP endpoint is set): without it the API's no-op tracer answers and no
 * SDK code is in memory. The standard variables are read by the SDK itself (OTEL_EXPORTER_OTLP_*,
 * OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME, OTEL_BSP_*). Upstream HTTP spans,
 * and `traceparent` to the appliance, come from the undici instrumentation: it listens on undici's
 * diagnostics channels, so the upstream layer needs no tracing code.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  /** The gateway's version (package.json). */
  version?: string;
  /** Where spans go; default: batched OTLP/HTTP export to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT. Tests pass an in-memory one. */
  spanProcessors?: SpanProcessor[];
}

export interface Tracing {
  /** Exports what is buffered, then unhooks everything (for a clean stop and for tests). */
  shutdown(): Promise<void>;
}

export function startTracing(options: TracingOptions): Tracing {
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    ...(options.version ? { [ATTR_SERVICE_VERSION]: options.version } : {}),
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: options.spanProcessors ?? [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // AsyncLocalStorage context and the W3C traceparent/baggage propagators.
  provider.register();
  const unregister = registerInstrumentations({ tracerProvider: provider, instrumentations: [new UndiciInstrumentation()] });
  return {
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
