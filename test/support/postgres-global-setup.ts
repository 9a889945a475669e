// One PostgreSQL cluster for the whole `npm run test:postgres` run (test/support/postgres-cluster.ts); each test
// creates databases of its own in it (test/support/postgres-database.ts reads its admin URL with `inject`).
import type { TestProject } from "vitest/node";
import { startPostgresCluster } from "./postgres-cluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgresCluster();
  project.provide("postgresAdminUrl", cluster.adminUrl);
  return () => cluster.stop();
}
