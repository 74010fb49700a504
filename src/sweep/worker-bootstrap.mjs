// Worker entry: `new Worker('x.ts')` fails under tsx and vitest ("Unknown file extension .ts"),
// so each worker starts here, registers tsx, then imports the TypeScript worker module.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
