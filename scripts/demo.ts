/**
 * `npm run demo`: the main job on data every checkout has. For now: the ladder on the seed's two
 * worked quotes (UVXY 15.23/15.32 and TSLA 319.00/325.68) with the config in ladderlab.yaml.
 */
import { loadConfig } from '../src/engine/config.ts';
import { formatLadderTables } from '../src/engine/ladder-table.ts';

const config = loadConfig('ladderlab.yaml');
process.stdout.write(formatLadderTables('UVXY', { bid: 15.23, ask: 15.32 }, config));
process.stdout.write('\n');
process.stdout.write(formatLadderTables('TSLA', { bid: 319.0, ask: 325.68 }, config));
