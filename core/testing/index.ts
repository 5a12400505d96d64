// `dgp-gateway/testing`: what a plugin author needs to test a plugin against the real host — the conformance suite
// every built-in passes, a FactoryContext for unit tests, and a harness that starts a real gateway with the plugin.
export { runConformance, conformanceReport, readConformanceFixture, type ConformanceOptions, type ConformanceFixture, type InvalidConfigCase } from './conformance.js';
export { recordingTest, type TestLike, type AnyTest, type CheckResult } from './test-like.js';
export { stubFactoryContext, stubMetrics, stubWorkers, stubClusterManager, type StubFactoryContext, type StubFactoryOverrides } from './factory-context.js';
export { startGateway, proxyConf, logCapture, type TestGateway } from './harness.js';
