/** `npm run generate`: regenerate generated/ (bundle and types) from spec/. */
import { generate, generatedDir } from "./spec-pipeline.ts";

await generate(generatedDir);
console.log("generated/openapi.json and generated/openapi.d.ts are up to date with spec/");
