export * from './workspaces.js';
export * from './connections.js';
export * from './participants.js';
export * from './stripe-objects.js';
export * from './studies.js';
export * from './imports.js';
export * from './webhook-events.js';
