/**
 * The layers of src/, bottom to top, and the one rule between them: a module imports only from its
 * own layer or the layers below it. `npm test` runs this (`npm run lint:layers`); README § Architecture
 * draws the same picture.
 *
 *   upstream   one appliance: transport, token, resilience, DTOs, query strings, upstream errors
 *   sessions   the domain core: enum tables, input normalisation, paging, rules, item fan-out, reports
 *   errors     the public error catalogue (code, meaning, HTTP status) and the mapping onto it
 *   graphql | exports | telemetry   the two public surfaces over the core, and logs/metrics
 *   live       live session updates: the one USN poller, replay window, subscription execution
 *   http       routes, client gate, auth, body, health, playground, the Apollo binding
 *   config     the environment, parsed once into each layer's options
 *   main.ts / run.ts   the production entry;  demo.ts   demo mode, the only door to the simulator
 *
 * Type-only imports count: a type pulled from above ties the layers as firmly as a value does.
 */
const LAYERS = [
  ['upstream', []],
  ['sessions', ['upstream']],
  ['errors', ['upstream', 'sessions']],
  ['graphql', ['upstream', 'sessions', 'errors']],
  ['exports', ['upstream', 'sessions', 'errors']],
  ['telemetry', ['upstream', 'sessions', 'errors']],
  ['live', ['upstream', 'sessions', 'errors', 'graphql']],
  ['http', ['upstream', 'sessions', 'errors', 'graphql', 'exports', 'telemetry', 'live']],
  ['config', ['upstream', 'sessions', 'errors', 'graphql', 'exports', 'telemetry', 'http', 'live']],
];

const layerRules = LAYERS.map(([layer, below]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only from itself${below.length ? ` and ${below.join(', ')}` : ''}.`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: `^src/(${[layer, ...below].join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'simulator-off-the-product-path',
      comment: 'The fake appliance is reached only through src/demo.ts (and the simulator itself).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(simulator/|demo\\.ts$)' },
      to: { path: '^src/simulator/' },
    },
    {
      name: 'simulator-stands-alone',
      comment: 'The simulator speaks the wire format (upstream DTO types) and nothing of the gateway.',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^src/', pathNot: '^src/(simulator/|upstream/dto\\.ts$|upstream/generated/)' },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles hide which module owns a fact; break them by moving the shared part down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // Generated code is a target like any other (its folder's layer rule applies) but is not read.
    doNotFollow: { path: ['node_modules', '(^|/)generated/'] },
    tsPreCompilationDeps: true,
  },
};
