import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/database.js';
import { runMigrations } from './db/migrate.js';
import { databaseTarget } from './db/target.js';
import { createWorkspaceRepository } from './modules/workspaces/repository.js';
import { createWorkspaceService, type WorkspaceService } from './modules/workspaces/service.js';
import { toWorkspaceDto } from './modules/workspaces/routes.js';

type Command = (workspaces: WorkspaceService, args: string[]) => Promise<unknown>;

const COMMANDS: Record<string, { usage: string; run: Command }> = {
  'workspace:create': {
    usage: 'workspace:create "<name>"   create a workspace; prints its id and its API key (shown only once)',
    async run(workspaces, [name]) {
      if (!name) throw new UsageError('workspace:create needs a name');
      const { workspace, apiKey } = await workspaces.createWorkspace(name);
      return { workspace: toWorkspaceDto(workspace), api_key: apiKey };
    },
  },
  'workspace:list': {
    usage: 'workspace:list              list workspaces',
    run: async (workspaces) => (await workspaces.listWorkspaces()).map(toWorkspaceDto),
  },
  'key:create': {
    usage: 'key:create <workspace-id> [label]   issue another API key for a workspace',
    async run(workspaces, [workspaceId, label]) {
      if (!workspaceId) throw new UsageError('key:create needs a workspace id');
      return { workspace_id: workspaceId, api_key: await workspaces.createApiKey(workspaceId, label) };
    },
  },
};

class UsageError extends Error {}

const usage = () => `usage: pnpm cli <command>\n${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}\n`;

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  const [name, ...args] = positionals;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(name ? `unknown command "${name}"\n${usage()}` : usage());
    return 2;
  }
  const config = loadConfig(process.env);
  const database = await openDatabase(databaseTarget(config));
  try {
    await runMigrations(database);
    const result = await command.run(createWorkspaceService(createWorkspaceRepository(database.db)), args);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof UsageError || (error instanceof Error && 'statusCode' in error);
    process.stderr.write(`${known ? (error as Error).message : error instanceof Error ? error.stack : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(usage());
    process.exit(1);
  },
);
