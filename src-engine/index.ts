export * from './link/connection-path.js';
export * from './ports/signaling.js';
