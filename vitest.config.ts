import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ and the UI once, before the workers start.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests bind ports and spawn processes; two workers suit a 2-core box.
    maxWorkers: 2,
  },
});
