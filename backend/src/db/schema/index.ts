export * from './workspaces.js';
