/** The workflow kit: what every procedure is composed of. Deterministic code only. */
export * from './failures.js';
export * from './proxies.js';
export * from './status.js';
export * from './gate.js';
export * from './blockable.js';
export * from './metrics.js';
export * from './tagProxies.js';
export * from './input.js';
export * from './patches.js';
export * from './procedure.js';
export * from './ending.js';
export * from './notices.js';
export * from './settle.js';
export * from './lanes.js';
export * from './look.js';
export * from './unknownSignals.js';
export * from './pullRequest.js';
