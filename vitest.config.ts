import { defineConfig } from 'vitest/config';

const unit = ['domain/**/*.test.ts', 'scripts/lib/**/*.test.ts', 'api/**/*.test.ts', 'adapters/**/*.test.ts', 'activities/**/*.test.ts', 'workflows/**/*.test.ts', 'config/**/*.test.ts', 'worker/**/*.test.ts', 'web/src/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      // Projects run one after another (groupOrder): unit first, then the suites that share real services.
      { extends: true, test: { name: 'unit', include: unit, testTimeout: 30_000, sequence: { groupOrder: 0 } } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/faults/**', 'test/cluster/**'],
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          // cluster-cert: the cluster section (cluster-faults.test.ts) starts a cluster whose certificate the workers must trust.
          globalSetup: ['test/setup/global-setup.ts', 'test/setup/cluster-cert.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          // The production topology (`npm run start:cluster`) on free ports: `npm test -- --cluster`.
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          globalSetup: ['test/setup/cluster-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
