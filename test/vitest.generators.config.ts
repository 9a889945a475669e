import { defineConfig } from "vitest/config";

// `npm run test:generators`: docs/generate-a-client.md, each generator installed from the npm registry in an empty
// project and run against the reference server (about two minutes); not part of `npm test`, run by .ci/run
// on Node 20 and on Node 24.
export default defineConfig({
  test: {
    include: ["test/**/*.registry.ts"],
    globalSetup: ["test/support/client-build-global-setup.ts"],
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
