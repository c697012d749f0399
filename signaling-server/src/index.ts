export { startSignalingServer, SignalingServerError } from './server.js';
export type { SignalingServer, SignalingServerOptions } from './server.js';
export type { IceServer } from './ice.js';
