/**
 * The house rules of src-main (ARCHITECTURE.md): each room imports only the rooms below it,
 * no cycles between folders, and the renderer imports nothing from src-main. Run by `npm test`
 * through `npm run lint`.
 */
const room = (name) => `^src-main/${name}/`;

/** Rooms below each room (what it may import from src-main). src-shared is open to every room. */
const below = {
  core: [],
  sim: ['core'],
  ml: ['core'],
  store: ['core'],
  rl: ['core', 'sim', 'ml', 'store'],
  export: ['core', 'sim', 'ml', 'store', 'rl'],
  pipelines: ['core', 'sim', 'ml', 'store', 'rl', 'export'],
  workers: ['core', 'sim', 'ml', 'store', 'rl', 'export', 'pipelines'],
  services: ['core', 'sim', 'ml', 'store', 'rl', 'export', 'pipelines', 'workers'],
  server: ['core', 'services', 'store'],
  cli: ['core', 'sim', 'ml', 'store', 'rl', 'export', 'pipelines', 'workers', 'services', 'server'],
  electron: ['core', 'services', 'server'],
};
const rooms = Object.keys(below);

module.exports = {
  forbidden: [
    ...rooms.map((name) => ({
      name: `layer-${name}`,
      comment: `${name}/ may import only ${below[name].length ? below[name].join(', ') : 'nothing else of src-main'} (and src-shared)`,
      severity: 'error',
      from: { path: room(name) },
      to: { path: '^src-main/', pathNot: [room(name), ...below[name].map(room)] },
    })),
    {
      name: 'no-unknown-room',
      comment: 'every folder of src-main is a room named in .dependency-cruiser.cjs and ARCHITECTURE.md',
      severity: 'error',
      from: { path: '^src-main/', pathNot: rooms.map(room) },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'no import cycles between files, type-only imports included (folder cycles: .ci/check-folder-cycles.mjs)',
      severity: 'error',
      from: { path: '^src-main/' },
      to: { circular: true },
    },
    {
      name: 'shared-is-pure',
      comment: 'src-shared imports nothing from src-main or src-renderer',
      severity: 'error',
      from: { path: '^src-shared/' },
      to: { path: '^src-(main|renderer)/' },
    },
    {
      name: 'renderer-apart',
      comment: 'the renderer imports nothing from src-main (it talks to it over the contract)',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/' },
    },
    {
      name: 'src-main-not-into-tests-or-bench',
      comment: 'product code does not import tests; bench stands apart (only the bench command may run it)',
      severity: 'error',
      from: { path: '^src-main/', pathNot: '^src-main/cli/commands/bench/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|out|dist|build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.svelte'] },
  },
};
