// `npm run test:postgres`: the suites that need PostgreSQL (and haproxy for the balancer tests). Not part of
// `npm test`; .ci/run installs Debian's postgresql and haproxy and runs them. Without PostgreSQL they fail, saying
// what to install (never skipped).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.postgres.ts"],
    globalSetup: ["test/support/client-build-global-setup.ts", "test/support/postgres-global-setup.ts"],
    pool: "forks",
    // Suites start several servers and a cluster: one file at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
