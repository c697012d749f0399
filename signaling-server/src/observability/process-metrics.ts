import { collectDefaultMetrics, Registry, type Metric } from 'prom-client';

export const METRIC_PREFIX = 'ferry_signal_';

let shared: Metric[] | undefined;

/**
 * prom-client's default process metrics (memory, CPU, event-loop lag, GC, handles), created
 * once per process and registered on every server's own Registry.
 *
 * Why once: collectDefaultMetrics starts a GC PerformanceObserver and an event-loop-delay
 * monitor that are never stopped, so calling it per server instance would leak both each time a
 * server starts (tests start dozens in one process). The numbers describe the process anyway,
 * not an instance, so every instance can report the same metric objects.
 */
export function processMetrics(): readonly Metric[] {
  if (!shared) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
    shared = registry
      .getMetricsAsArray()
      .map(({ name }) => registry.getSingleMetric(name))
      .filter((metric): metric is Metric => metric !== undefined);
  }
  return shared;
}
