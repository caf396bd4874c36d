import type { Config } from '../config.js';
import type { DatabaseTarget } from './database.js';

export const databaseTarget = (config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): DatabaseTarget =>
  config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL } : { kind: 'pglite', dataDir: config.DATA_DIR };
