/**
 * The layers of src/ (docs/decisions/0005-layers.md), enforced by `npm run check`: a module may import only
 * from its own folder and from the folders listed for it. Anything not allowed here fails the check.
 * Lowest first; each layer may use every layer listed after it in `uses`.
 */
const layers = {
  lib: [],
  config: ['lib'],
  errors: ['lib'],
  store: ['config', 'lib'],
  outbound: ['config', 'lib'],
  trust: ['outbound', 'config', 'errors', 'lib'],
  audit: ['store', 'errors', 'lib'],
  metrics: ['store', 'lib'],
  tokens: ['trust', 'store', 'audit', 'outbound', 'config', 'errors', 'lib'],
  validation: ['trust', 'store', 'outbound', 'config', 'errors', 'lib'],
  discovery: ['tokens', 'config', 'lib'],
  registration: ['validation', 'tokens', 'trust', 'store', 'audit', 'outbound', 'config', 'errors', 'lib'],
  http: ['registration', 'discovery', 'tokens', 'trust', 'audit', 'metrics', 'config', 'errors', 'lib'],
  admin: ['metrics', 'trust', 'store', 'config', 'errors', 'lib'],
  docs: ['cli', 'validation', 'config', 'errors', 'lib'],
  sandbox: ['tokens', 'trust', 'outbound', 'config', 'errors', 'lib'],
  conformance: ['sandbox', 'tokens', 'trust', 'outbound', 'config', 'errors', 'lib'],
}

/** The composition root (src/main.ts, src/cluster.ts) wires every layer; only the command line sits above it. */
const root = ['http', ...Object.keys(layers).filter((layer) => layer !== 'http')]

const folder = (name) => `^src/${name}/`

// eslint-disable-next-line no-undef -- dependency-cruiser reads a CommonJS configuration
module.exports = {
  allowed: [
    ...Object.entries(layers).map(([layer, uses]) => ({
      comment: `${layer}/ uses ${uses.length === 0 ? 'nothing else of src/' : uses.join(', ')}`,
      from: { path: folder(layer) },
      to: { path: [folder(layer), ...uses.map(folder)] },
    })),
    { comment: 'the composition root wires every layer but the command line', from: { path: '^src/[^/]+[.]ts$' }, to: { path: ['^src/[^/]+[.]ts$', ...root.map(folder)] } },
    { comment: 'the command line sits on top', from: { path: '^src/cli/' }, to: { path: '^src/' } },
    { comment: 'tests, benchmarks, scripts and examples use anything', from: { path: '^(test|bench|scripts|examples)/' }, to: {} },
    { comment: 'packages and Node built-ins', from: {}, to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'] } },
  ],
  allowedSeverity: 'error',
  forbidden: [
    { name: 'no-circular-layers', comment: 'a cycle between folders makes the layering meaningless', severity: 'error', from: { path: '^src/([^/]+)/' }, to: { circular: true, path: '^src/', pathNot: '^src/$1/' } },
    { name: 'no-unknown-folder', comment: 'every folder of src/ is placed in a layer (.dependency-cruiser.cjs)', severity: 'error', from: { path: '^src/', pathNot: [`^src/(${[...Object.keys(layers), 'cli'].join('|')})/`, '^src/[^/]+[.]ts$'] }, to: {} },
    { name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|bench/results|[.]open-dcr)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
}
