import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // `*.test.ts` only: the suites that need Chromium (`*.browser.ts`), the npm registry's generators (`*.registry.ts`)
    // or PostgreSQL (`*.postgres.ts`) have configs of their own beside the tree (test/vitest.<script>.config.ts).
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/client-build-global-setup.ts", "test/support/prism-global-setup.ts"],
    // Native modules (better-sqlite3) and per-process memory measurements want real processes.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
