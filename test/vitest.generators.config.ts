import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// `npm run test:generators`: docs/generate-a-client.md, each generator installed from the npm registry in an empty
// project and run against the reference server (about a minute); not part of `npm test`, run by .ci/run
// on Node 20 and on Node 24.
export default defineConfig({
  test: {
    include: ["test/**/*.registry.ts"],
    globalSetup: ["test/support/client-build-global-setup.ts"],
    pool: "forks",
    // One file per generator (test/docs/generate-a-client/): their registry installs wait on the network, so one
    // worker more than there are cores runs them side by side.
    maxWorkers: availableParallelism() + 1,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
