/**
 * GET /exports/<run id>/<export folder>.zip: one export folder of a run (what runs.export wrote
 * under <run>/exports/) as a zip download, so a browser on another machine can take the files.
 * The same rules as the WebSocket guard the route (loopback Host, or the token when remote);
 * only folders directly under the run's exports/ are served, files in them as they are.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, relative, sep } from 'node:path';
import type { Engine } from '../services/engine.js';
import { RUN_FILES } from '../store/run-store.js';
import { refuseReason, type WsSecurity } from './ws-server.js';
import { zipStore, type ZipEntry } from './zip-store.js';

const ROUTE = /^\/exports\/([^/]+)\/([^/]+)\.zip$/;
/** Folder names runs.export writes (best-…, last-…, step-…): letters, digits, dot, dash, underscore. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function files(dir: string, root: string, out: ZipEntry[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) files(p, root, out);
    else if (st.isFile()) out.push({ name: relative(root, p).split(sep).join('/'), data: readFileSync(p), date: st.mtime });
  }
}

/** Answers the request when it is an export download; false when it is not one (the caller serves it). */
export function handleExportDownload(req: IncomingMessage, res: ServerResponse, engine: Engine, security: WsSecurity): boolean {
  const pathname = new URL(req.url ?? '/', 'http://x').pathname;
  const m = ROUTE.exec(pathname);
  if (!m) return false;
  const reason = refuseReason(req, security);
  if (reason) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end(`${reason}\n`);
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  let runId: string;
  let folder: string;
  try {
    runId = decodeURIComponent(m[1]!);
    folder = decodeURIComponent(m[2]!);
  } catch {
    res.writeHead(400).end('bad path');
    return true;
  }
  let dir: string;
  try {
    if (!SAFE_NAME.test(folder) || !engine.store.exists(runId)) throw new Error('no such export');
    dir = join(engine.store.dir(runId), RUN_FILES.exports, folder);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error('no such export');
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('no such export\n');
    return true;
  }
  const entries: ZipEntry[] = [];
  files(dir, join(dir, '..'), entries);
  const zip = zipStore(entries);
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-length': String(zip.length),
    'content-disposition': `attachment; filename="${runId}-${folder}.zip"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : zip);
  return true;
}
