import { generateTape, replay } from './bench/sim.ts';
const tape = generateTape();
const mode = (process.argv[2] ?? 'far') as 'far' | 'touch';
for (let i = 0; i < 5; i++) replay(tape, mode);
const t = performance.now();
let r;
for (let i = 0; i < 20; i++) r = replay(tape, mode);
console.log(mode, ((performance.now() - t) / 20).toFixed(2), 'ms/run', r);
