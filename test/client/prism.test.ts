/** The client suite against the Prism mock of the spec (started once by the vitest globalSetup). */
import { inject } from "vitest";
import { defineClientSuite } from "../support/client-suite.ts";
import { prismTarget } from "../support/client-target.ts";

defineClientSuite("Prism mock", async () => prismTarget(inject("prismUrl")));
