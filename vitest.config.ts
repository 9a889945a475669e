import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The suites that need PostgreSQL and haproxy run under `npm run test:postgres` (test/postgres/vitest.config.ts).
    exclude: [...configDefaults.exclude, "test/postgres/**"],
    globalSetup: ["test/support/client-build-global-setup.ts", "test/support/prism-global-setup.ts"],
    // Native modules (better-sqlite3) and per-process memory measurements want real processes.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
