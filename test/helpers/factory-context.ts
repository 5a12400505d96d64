// The project's tests use the FactoryContext plugin authors get from `dgp-gateway/testing`.
export { stubFactoryContext, stubMetrics, stubWorkers, stubClusterManager, type StubFactoryContext, type StubFactoryOverrides } from '../../core/testing/factory-context.js';
