/**
 * `npm run cli -- <command>`: the headless front door. Same engine, same config schema and
 * same contract as the desktop app and browser mode. Exit codes: 0 ok, 1 failure, 2 bad input.
 */
import { Command, CommanderError } from 'commander';
import { APP_NAME, APP_VERSION } from '../core/version.js';
import { commandModules } from './commands/index.js';
import { errorLine } from './context.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('drive-lab')
    .description(`${APP_NAME}: teach a simulated car to drive and a robot arm to reach and push, with deep RL.`)
    .version(APP_VERSION)
    .option('--runs-dir <dir>', 'runs folder (default: $DRIVE_LAB_RUNS_DIR or the user data folder)')
    .option('--json', 'machine-readable JSON on stdout')
    .option('--backend <name>', 'ML backend: auto, tensorflow-gpu, tensorflow, webgpu, wasm or cpu', 'auto')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const m of commandModules) m.register(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit with code 0; usage errors were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    const { message, exitCode } = errorLine(e);
    process.stderr.write(`error: ${message}\n`);
    return exitCode;
  }
}
