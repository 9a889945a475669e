import { defineConfig } from "vitest/config";

// `npm run test:browser`: drives Debian's Chromium against `npm
// start`; not part of `npm test` (needs /usr/bin/chromium).
export default defineConfig({
  test: {
    include: ["test/**/*.browser.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
