/** vitest globalSetup: one Prism mock of the bundle for the whole run, its URL provided as `prismUrl`. */
import type { TestProject } from "vitest/node";
import { writePrismBundle } from "../../cli/prism-bundle.ts";
import { startPrism } from "../../conformance/prism-process.ts";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The bundle as `meta-media-openapi mock` gives it to Prism (media ranges keyed as ranges).
  const bundle = await writePrismBundle("all");
  const prism = await startPrism(["mock", bundle.path]);
  project.provide("prismUrl", prism.url);
  return async () => {
    await prism.stop();
    await bundle.remove();
  };
}
