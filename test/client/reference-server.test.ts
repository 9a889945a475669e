/** The client suite against the reference server, in process, listening on 127.0.0.1 port 0. */
import { defineClientSuite } from "../support/client-suite.ts";
import { referenceTarget } from "../support/client-target.ts";

defineClientSuite("reference server", () => referenceTarget());
