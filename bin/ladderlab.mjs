#!/usr/bin/env node
// The package's bin: register tsx so the TypeScript sources run as they are, then hand over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
