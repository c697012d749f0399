import type { ConformanceDevice, ConformancePair } from '../src-engine/testing/conformance/device.js';
import { defineEngineConformance } from '../src-engine/testing/conformance/suite.js';
import { Lab } from './lab/lab.js';
import { type EngineApp, startEngineApp } from './support/engine-app.js';
import { startSignalHost } from './support/signal-host.js';

/*
 * The engine conformance suite between two Ferry devices without a window, each on its own lab
 * host as the app runs it (main's services in one Node process, the engine forked in its own),
 * a real signaling server on a third: node-datachannel on both sides, then node-datachannel
 * against @roamhq/wrtc (libwebrtc, another stack).
 */

const device = (app: EngineApp): ConformanceDevice => app;

function labPair(webrtc: { a: 'node-datachannel' | 'wrtc'; b: 'node-datachannel' | 'wrtc' }) {
  return async (): Promise<ConformancePair> => {
    const lab = Lab.create({ hosts: ['signal', 'alice', 'bob'] });
    try {
      const signal = await startSignalHost(lab.host('signal'));
      const [a, b] = await Promise.all([
        startEngineApp(lab.host('alice'), { deviceName: 'Alice', signalingUrl: signal.url, webrtc: webrtc.a }),
        startEngineApp(lab.host('bob'), { deviceName: 'Bob', signalingUrl: signal.url, webrtc: webrtc.b }),
      ]);
      return { a: device(a), b: device(b), close: () => lab.dispose() };
    } catch (error) {
      await lab.dispose();
      throw error;
    }
  };
}

defineEngineConformance('Node and Node on node-datachannel, two lab hosts', {
  createPair: labPair({ a: 'node-datachannel', b: 'node-datachannel' }),
  largeBytes: 64 * 1024 * 1024 + 1,
});

defineEngineConformance('Node on node-datachannel and Node on @roamhq/wrtc, two lab hosts', {
  createPair: labPair({ a: 'node-datachannel', b: 'wrtc' }),
  largeBytes: 64 * 1024 * 1024 + 1,
});
