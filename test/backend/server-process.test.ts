import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runScript } from '../support/processes.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/test-database.js';

let dataDir: string;
let testDatabase: TestDatabase;
let databaseEnv: Record<string, string>;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ui-server-'));
  testDatabase = await createTestDatabase();
  databaseEnv = testDatabase.target.kind === 'postgres' ? { DATABASE_URL: testDatabase.target.url } : { DATA_DIR: dataDir };
});
afterAll(async () => {
  await testDatabase?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the service process', () => {
  it('starts with no configuration, serves /healthz, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = runScript('backend/src/server.ts', [], { ...databaseEnv, PORT: String(port) });
    await server.waitForOutput(/Server listening/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/"msg":"stopped"/);
    expect(server.output()).not.toMatch(/emulator_platform|whsec_emulator|absec_emulator/);
  });

  it('refuses to start in production without its secrets, listing each one', async () => {
    const server = runScript('backend/src/server.ts', [], { NODE_ENV: 'production' });
    expect(await server.exited).toBe(1);
    for (const name of ['PUBLIC_URL', 'APP_URL', 'ENCRYPTION_KEY', 'STRIPE_WEBHOOK_SECRETS', 'STRIPE_APP_SIGNING_SECRETS']) {
      expect(server.output()).toContain(`${name}: required`);
    }
  });
});

describe('the CLI', () => {
  it('creates a workspace and prints its API key once, as JSON, which the service then accepts', async () => {
    const cli = runScript('backend/src/cli.ts', ['workspace:create', 'Acme Research'], databaseEnv);
    expect(await cli.exited).toBe(0);
    const created = JSON.parse(cli.output());
    expect(created.workspace.name).toBe('Acme Research');
    expect(created.api_key).toMatch(/^uik_/);

    const port = await freePort();
    const server = runScript('backend/src/server.ts', [], { ...databaseEnv, PORT: String(port) });
    try {
      await server.waitForOutput(/Server listening/);
      const res = await fetch(`http://127.0.0.1:${port}/api/workspace`, { headers: { authorization: `Bearer ${created.api_key}` } });
      expect(await res.json()).toMatchObject({ id: created.workspace.id, name: 'Acme Research' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('explains its usage for an unknown command', async () => {
    const cli = runScript('backend/src/cli.ts', ['workspace:explode'], databaseEnv);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('unknown command "workspace:explode"');
    expect(cli.output()).toContain('workspace:create');
  });

  it.runIf(!onPostgres)('will not open the embedded database while the service holds it', async () => {
    const port = await freePort();
    const server = runScript('backend/src/server.ts', [], { DATA_DIR: dataDir, PORT: String(port) });
    try {
      await server.waitForOutput(/Server listening/);
      const cli = runScript('backend/src/cli.ts', ['workspace:list'], { DATA_DIR: dataDir });
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toMatch(/in use by process \d+; stop it first, or set DATABASE_URL/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
