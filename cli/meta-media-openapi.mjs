#!/usr/bin/env node
// The command line in a clone of this repository: `npm run mock`, `npm run test:contract`, `npm run fuzz` and the
// tests run it (`node cli/meta-media-openapi.mjs ...`). The installed package's "bin" is the compiled
// dist/cli/meta-media-openapi.js (scripts/build.ts) instead. Node 20 cannot run TypeScript by itself, so this
// registers tsx's loader, resolved from the repository rather than from the caller's folder, then runs the CLI.
import { register } from "tsx/esm/api";

register();
await import("./meta-media-openapi.ts");
