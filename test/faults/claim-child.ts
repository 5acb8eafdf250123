/**
 * Child process for ownership.test.ts: waits until the time given, then tries to claim the
 * owner file once and prints "won" or "conflict"; stays alive (its claim live) until its stdin ends.
 * Usage: node --import tsx claim-child.ts OWNER_PATH START_AT_MS
 */
import { claimOwnerFile, OwnerConflict } from '../../src-main/store/run-owner.js';

const [path, at] = process.argv.slice(2);
while (Date.now() < Number(at)) {
  // spin: all children try at the same instant
}
try {
  claimOwnerFile(path!);
  process.stdout.write('won\n');
} catch (e) {
  process.stdout.write(e instanceof OwnerConflict ? 'conflict\n' : `error ${(e as Error).message}\n`);
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
