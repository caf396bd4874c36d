export * from './workspaces.js';
export * from './connections.js';
