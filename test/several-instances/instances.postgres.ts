/**
 * Several instances started together on an empty database: the schema is created once (under an advisory lock),
 * every instance starts, and they record one development page between them, whose token only the instance that
 * recorded it prints, and which every instance accepts.
 */
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { ChildServer } from "../support/child-server.ts";
import { SCHEMA_VERSION } from "../../server/storage/postgres/schema.ts";
import { until } from "../support/until.ts";
import { sharedStorage, startInstances, type SharedStorage } from "../support/postgres-instances.ts";

let shared: SharedStorage | undefined;
let servers: ChildServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
  await shared?.remove();
});

describe("instances started together on an empty database", () => {
  it("create the schema once and share one development page", async () => {
    shared = await sharedStorage();
    // MESSENGER_PAGES unset: each instance generates a page and tries to record it.
    servers = await startInstances(4, shared, { MESSENGER_PAGES: undefined });
    // The page is printed after the address the start waited for.
    await until(() => servers.every((s) => s.output().includes("set MESSENGER_PAGES")), "every start message");
    const outputs = servers.map((s) => s.output());
    const printed = outputs.flatMap((o) => [...o.matchAll(/development page (\d+), page access token (\S+)/g)]);
    expect(printed).toHaveLength(1);
    const [, pageId, token] = printed[0]!;
    const others = outputs.filter((o) => o.includes(`development page ${pageId}, with the page access token printed`));
    expect(others).toHaveLength(3);

    // Every instance accepts the token of the page one of them recorded.
    for (const server of servers) {
      const res = await fetch(`${server.url}/v21.0/me/messages?access_token=${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          recipient: { id: "1254459154682919" },
          message: { attachment: { type: "image", payload: { attachment_id: "1111111111111111" } } },
        }),
      });
      // Authenticated: the attachment id is unknown (100/2018074), not the token (190).
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(100);
    }

    const client = new pg.Client({ connectionString: shared.databaseUrl });
    await client.connect();
    try {
      expect((await client.query("SELECT version FROM schema_version")).rows).toEqual([{ version: SCHEMA_VERSION }]);
      expect((await client.query("SELECT page_id FROM dev_page")).rows).toEqual([{ page_id: pageId }]);
      expect((await client.query("SELECT count(*)::int AS n FROM users")).rows).toEqual([{ n: 1 }]);
    } finally {
      await client.end();
    }
  }, 180_000);
});
