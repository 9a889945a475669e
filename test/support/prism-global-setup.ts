/** vitest globalSetup: one Prism mock of the bundle for the whole run, its URL provided as `prismUrl`. */
import type { TestProject } from "vitest/node";
import { startPrism } from "../../conformance/prism-process.ts";

declare module "vitest" {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prism = await startPrism();
  project.provide("prismUrl", prism.url);
  return () => prism.stop();
}
