/**
 * A Veeam Backup for AWS REST API (v1) simulator: what tests, benchmarks and demo mode run against.
 */
export { startSimulator, type Simulator, type SimulatorOptions } from './server';
export type { SimulatorActivity, FinalStatus } from './activity';
export type { SimulatorKnobs, FaultRule } from './faults';
export type { RecordedRequest } from './counters';
export { KNOWN_API_VERSIONS, type ApiVersion } from './revisions';
export { DEFAULT_API_VERSIONS, VBAWS_8_0_API_VERSIONS, ApiVersionWindowError } from './api-version-window';
