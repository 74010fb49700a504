#!/usr/bin/env node
// The package's bin: run the compiled build of the current sources (bin/build.mjs makes or
// refreshes it), or the TypeScript sources through tsx when no build can be had.
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { currentBuild } from './build.mjs';

// V8's allocation-site pretenuring sometimes decides early (while a tape loads) to allocate the
// simulator's short-lived objects straight into the old generation: then 7–8 full GCs instead of 2
// and ~35 % more CPU — 1,000 IBM sweep cells took 3.1–3.5 s instead of 2.3–2.6 s, at random from
// run to run. Off, every run was the fast one. Set first thing (the flag is read at each GC, so it
// holds from here on, worker threads included; child processes get it in their exec arguments).
setFlagsFromString('--no-allocation-site-pretenuring');

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
