/** `npm run generate`: regenerate generated/ (bundle and types) from spec/. */
import { generate, generatedDir, generatedFiles } from "./spec-pipeline.ts";

await generate(generatedDir);
console.log(`generated/ is up to date with spec/: ${generatedFiles.join(", ")}`);
