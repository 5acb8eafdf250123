// Zero import cycles between folders of src-main (ARCHITECTURE.md): reads dependency-cruiser's
// module graph, collapses it to folders (src-main/rl/train, src-main/sim/lane, ...), and fails
// listing every strongly connected set of two or more folders. A folder and the folders inside it
// are one package: edges between a folder and its own ancestor (sim/lane -> sim/env.ts, the
// registry in sim/ -> sim/lane) are not counted; edges between rooms and between sibling
// folders are.
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';

const json = execFileSync('npx', ['depcruise', 'src-main', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
  encoding: 'utf8',
  maxBuffer: 256 << 20,
  stdio: ['ignore', 'pipe', 'ignore'],
});
const { modules } = JSON.parse(json);
const edges = new Map();
for (const m of modules) {
  if (!m.source.startsWith('src-main/')) continue;
  const from = dirname(m.source);
  for (const d of m.dependencies) {
    if (!d.resolved.startsWith('src-main/')) continue;
    const to = dirname(d.resolved);
    if (to === from || to.startsWith(`${from}/`) || from.startsWith(`${to}/`)) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
  }
}
// Tarjan's strongly connected components.
const index = new Map(),
  low = new Map(),
  onStack = new Set(),
  stack = [],
  sccs = [];
let next = 0;
function visit(v) {
  index.set(v, next);
  low.set(v, next);
  next++;
  stack.push(v);
  onStack.add(v);
  for (const w of edges.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) sccs.push(scc.sort());
  }
}
for (const v of edges.keys()) if (!index.has(v)) visit(v);
const folders = new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])]);
if (sccs.length) {
  console.error(`folder cycles in src-main (${sccs.length}):`);
  for (const s of sccs) {
    console.error(`  ${s.join(' <-> ')}`);
    for (const f of s) for (const t of edges.get(f) ?? []) if (s.includes(t)) console.error(`    ${f} -> ${t}`);
  }
  process.exit(1);
}
console.log(`no folder cycles (${folders.size} folders of src-main)`);
