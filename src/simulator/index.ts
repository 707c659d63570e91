/**
 * A Veeam Backup for AWS REST API (v1) simulator: what tests, benchmarks and demo mode run against.
 */
export { startSimulator, type Simulator, type SimulatorOptions } from './server';
export type { SimulatorKnobs, FaultRule } from './faults';
export type { RecordedRequest } from './counters';
