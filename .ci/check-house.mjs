// House habits that no linter checks: no hand-written source file over 600 lines (a generated
// file says "generated" in its first lines), and no tracker numbers ("issue 12") in code.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const MAX_LINES = 600;
const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'src-main', 'src-shared', 'src-renderer', 'test', 'bench'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|mts|mjs|js|svelte|c|h|py)$/.test(f));
const problems = [];
for (const f of files) {
  let text;
  try {
    text = readFileSync(f, 'utf8');
  } catch {
    continue; // listed but deleted in the working tree
  }
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  const generated = /generated/i.test(text.slice(0, 400));
  if (lines > MAX_LINES && !generated && /^src-/.test(f)) problems.push(`${f}: ${lines} lines (split it by job; the limit is ${MAX_LINES})`);
  const m = text.match(/\b(issue|ticket|task) #?\d+\b/i);
  if (m && !f.startsWith('bench/RESULTS')) problems.push(`${f}: tracker number "${m[0]}" (say what, not which issue)`);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`house habits hold (${files.length} files)`);
