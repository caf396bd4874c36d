export * from './errors.js';
export * from './health.js';
export * from './workspaces.js';
export * from './connections.js';
export * from './stripe-app.js';
export * from './participants.js';
export * from './studies.js';
export * from './imports.js';
