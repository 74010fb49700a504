/**
 * A Redis for the queue tests: LADDERLAB_TEST_REDIS_URL (default redis://127.0.0.1:6390, where
 * .ci/run starts one) when it answers; else a private redis-server on a free loopback port when
 * the binary is installed; else null, and the tests skip with a message (like the browser test).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6390';

export interface TestRedis {
  url: string;
  stop: () => Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

export async function testRedis(): Promise<TestRedis | null> {
  const url = process.env.LADDERLAB_TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL;
  if (await answers(url)) return { url, stop: async () => undefined };
  if (!hasRedisServer) return null;
  const port = await freePort();
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const own = `redis://127.0.0.1:${port}`;
  // Wait for it to accept connections (start-up, not a timing assertion).
  for (let i = 0; i < 200 && !(await answers(own)); i++) await new Promise((r) => setTimeout(r, 25));
  return {
    url: own,
    stop: () =>
      new Promise((resolve) => {
        server.once('exit', () => resolve());
        server.kill();
      }),
  };
}
