import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // `*.test.ts` only: the suites that need Chromium (`*.browser.ts`), the npm registry's generators (`*.registry.ts`)
    // or PostgreSQL (`*.postgres.ts`) have configs of their own beside the tree (test/vitest.<script>.config.ts).
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/client-build-global-setup.ts", "test/support/prism-global-setup.ts"],
    // Native modules (better-sqlite3) and per-process memory measurements want real processes.
    pool: "forks",
    // One file more than there are cores (vitest's default is one fewer: a single worker on a 2-core machine). Most
    // files spend their time waiting on the processes and sockets they start, so a third worker keeps both cores busy.
    maxWorkers: availableParallelism() + 1,
    testTimeout: 30_000,
    hookTimeout: 90_000,
  },
});
