// docs/generate-a-client.md's swagger-typescript-api section, as a reader runs it (see generated-client-suite.ts).
import { describeGenerator } from "../../support/generated-client-suite.ts";

describeGenerator("swagger-typescript-api");
