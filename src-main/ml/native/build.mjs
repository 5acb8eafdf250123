#!/usr/bin/env node
/**
 * Builds the optional native kernels (dlnative.c) into build/native/dlnative.node with the C
 * compiler, OpenBLAS and the Node headers; no node-gyp, no network. Needs (Debian):
 *   apt-get install -y gcc libopenblas-dev      (Node's headers come with the nodejs package)
 * and, for oneDNN convolutions (optional, faster): apt-get install -y libdnnl-dev
 * When something is missing it says what and exits 0 (the engine then uses tfjs's wasm
 * kernels), unless --strict is given. Run: npm run build:native
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const outDir = join(root, 'build', 'native');
const out = join(outDir, 'dlnative.node');
const strict = process.argv.includes('--strict');

function skip(reason) {
  console.log(`native kernels not built: ${reason}; tfjs's wasm kernels will be used`);
  process.exit(strict ? 1 : 0);
}

const includeCandidates = [
  process.env.DL_NODE_INCLUDE,
  join(dirname(process.execPath), '..', 'include', 'node'),
  '/usr/include/node',
  '/usr/local/include/node',
].filter(Boolean);
const nodeInclude = includeCandidates.find((d) => existsSync(join(d, 'node_api.h')));
if (!nodeInclude) skip(`Node's headers (node_api.h) not found in ${includeCandidates.join(', ')}`);

const cc = process.env.CC || 'cc';
try {
  execFileSync(cc, ['--version'], { stdio: 'ignore' });
} catch {
  skip(`no C compiler (${cc}); apt-get install -y gcc`);
}

mkdirSync(outDir, { recursive: true });
// -fno-math-errno and -fno-trapping-math let sqrtf and comparisons vectorize; -ffp-contract=off keeps float32 rounding like tfjs's (no fused multiply-add).
// Written beside the target and renamed into place, so a process loading the addon meanwhile
// never sees a half-written file.
const tmp = `${out}.tmp-${process.pid}`;
const base = [
  '-O3',
  '-fno-math-errno',
  '-fno-trapping-math',
  '-ffp-contract=off',
  '-fPIC',
  '-shared',
  '-Wall',
  '-Wextra',
  '-o',
  tmp,
  `-I${nodeInclude}`,
  join(here, 'dlnative.c'),
];
// Convolutions through oneDNN (what PyTorch uses on CPUs) when its headers are installed
// (apt-get install -y libdnnl-dev), else im2col + OpenBLAS. --no-dnnl forces the latter.
const dnnlHeaders = ['/usr/include/oneapi/dnnl/dnnl.h', '/usr/local/include/oneapi/dnnl/dnnl.h'].some((p) => existsSync(p));
const dnnl = dnnlHeaders && !process.argv.includes('--no-dnnl');
function compile(withDnnl) {
  const args = withDnnl ? [...base, '-DDL_DNNL', '-fopenmp', '-ldnnl', '-lopenblas', '-lm'] : [...base, '-lopenblas', '-lm'];
  execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'pipe'] });
}
let usedDnnl = false;
try {
  if (dnnl) {
    try {
      compile(true);
      usedDnnl = true;
    } catch (e) {
      process.stderr.write(
        `building with oneDNN failed, building without it:\n${String(e.stderr ?? '')
          .split('\n')
          .slice(0, 5)
          .join('\n')}\n`,
      );
      compile(false);
    }
  } else {
    compile(false);
  }
} catch (e) {
  rmSync(tmp, { force: true });
  const stderr = String(e.stderr ?? '');
  if (/cblas\.h|lopenblas/.test(stderr)) skip('OpenBLAS not found; apt-get install -y libopenblas-dev');
  process.stderr.write(stderr);
  skip(`${cc} failed`);
}
renameSync(tmp, out);
console.log(
  `native kernels built: ${out} (convolutions: ${usedDnnl ? 'oneDNN' : 'im2col + OpenBLAS'}${dnnlHeaders ? '' : '; apt-get install -y libdnnl-dev for oneDNN'})`,
);
