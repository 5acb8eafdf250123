#!/usr/bin/env node
/** Entry point of `npm run cli`. */
import { main } from './main.js';

const code = await main(process.argv.slice(2));
// `serve` keeps the process alive on purpose; everything else ends with its exit code.
process.exitCode = code;
