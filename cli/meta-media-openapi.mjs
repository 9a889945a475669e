#!/usr/bin/env node
// The package's command-line entry (package.json "bin"). Node 20 cannot run TypeScript by itself, so register tsx's
// loader, resolved from this package rather than from the caller's folder, then run the CLI.
import { register } from "tsx/esm/api";

register();
await import("./meta-media-openapi.ts");
