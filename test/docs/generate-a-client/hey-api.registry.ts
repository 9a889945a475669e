// docs/generate-a-client.md's @hey-api/openapi-ts section, as a reader runs it (see generated-client-suite.ts).
import { describeGenerator } from "../../support/generated-client-suite.ts";

describeGenerator("@hey-api/openapi-ts");
