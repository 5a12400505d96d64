// The project's tests start gateways with the same harness plugin authors get from `dgp-gateway/testing`.
export { startGateway, proxyConf, logCapture, type TestGateway } from '../../core/testing/harness.js';
