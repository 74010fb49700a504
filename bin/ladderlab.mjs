#!/usr/bin/env node
// The package's bin: run the compiled build of the current sources (bin/build.mjs makes or
// refreshes it), or the TypeScript sources through tsx when no build can be had.
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { currentBuild, V8_FLAGS } from './build.mjs';

// Set first thing (build.mjs says why; the flags are read at each GC, so they hold from here on,
// worker threads included; child processes get them in their exec arguments).
for (const flag of V8_FLAGS) setFlagsFromString(flag);

const dist = await currentBuild(undefined, (message) => process.stderr.write(`ladderlab: ${message}\n`));
let main;
if (dist) {
  process.env.LADDERLAB_DIST = dist; // the sweep pool starts its workers from the same build
  ({ main } = await import(pathToFileURL(join(dist, 'cli.js')).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv.slice(2));
