export * from './workspaces.js';
export * from './connections.js';
export * from './participants.js';
