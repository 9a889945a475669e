/**
 * Two instances on one PostgreSQL database and one shared media folder, behind haproxy (round-robin): what one
 * instance acknowledges, the other serves on the very next request; revocations count everywhere at once; concurrent
 * settings changes on both apply one after the other; failed logins count against one shared limit; and an instance
 * starting on the shared folder leaves the files other instances are writing alone.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as samples from "../../conformance/media-files.ts";
import type { ChildServer } from "../support/child-server.ts";
import { startBalancer, type Balancer } from "../support/haproxy-balancer.ts";
import { basic, login, request } from "../support/plain-http-client.ts";
import { ADMIN_PASSWORD, sharedStorage, startInstances, type SharedStorage } from "../support/postgres-instances.ts";

const PAGE_TOKEN = "instances-page-token";
const FAILURES_PER_ADDRESS = 6;

let shared: SharedStorage;
let a: ChildServer;
let b: ChildServer;
let balancer: Balancer;
let adminToken: string;

beforeAll(async () => {
  shared = await sharedStorage();
  [a, b] = (await startInstances(2, shared, { WA_LOGIN_MAX_FAILURES_PER_ADDRESS: String(FAILURES_PER_ADDRESS) })) as [
    ChildServer,
    ChildServer,
  ];
  balancer = await startBalancer([a.url, b.url]);
  adminToken = await login(a.url, "admin", ADMIN_PASSWORD);
});
afterAll(async () => {
  await balancer?.stop();
  await Promise.all([a, b].map((s) => s?.stop()));
  await shared?.remove();
});

const bearer = (token = adminToken) => ({ Authorization: `Bearer ${token}` });
const jsonBody = (body: unknown) => ({
  headers: { ...bearer(), "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

describe("two instances on one database and one media folder", () => {
  it("round-robin: the balancer sends requests to both", async () => {
    const served = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const res = await request(`${balancer.url}/v1/settings/application`, { headers: bearer() });
      expect(res.status).toBe(200);
      served.add(String(res.headers["x-served-by"]));
    }
    expect([...served].sort()).toEqual(["i0", "i1"]);
  });

  it("serves on one instance what the other acknowledged, at once", async () => {
    // A token from A works on B.
    expect((await request(`${b.url}/v1/settings/application`, { headers: bearer() })).status).toBe(200);

    // Media: uploaded on A, downloaded from B, deleted on B, gone on A.
    const bytes = randomBytes(1024 * 1024);
    const up = await request(`${a.url}/v1/media`, {
      method: "POST",
      headers: { ...bearer(), "Content-Type": "application/octet-stream" },
      body: bytes,
    });
    expect(up.status).toBe(201);
    const id = up.json<{ media: Array<{ id: string }> }>().media[0]!.id;
    const down = await request(`${b.url}/v1/media/${id}`, { headers: bearer() });
    expect(down.status).toBe(200);
    expect(down.body.equals(bytes)).toBe(true);
    expect((await request(`${b.url}/v1/media/${id}`, { method: "DELETE", headers: bearer() })).status).toBe(200);
    expect((await request(`${a.url}/v1/media/${id}`, { headers: bearer() })).status).toBe(404);
    expect((await request(`${a.url}/v1/media/${id}`, { method: "DELETE", headers: bearer() })).status).toBe(404);

    // Settings: changed on A, read on B; reset on B, read on A.
    const settingsUrl = "/v1/settings/application";
    const patched = await request(`${a.url}${settingsUrl}`, { method: "PATCH", ...jsonBody({ sent_status: true }) });
    expect(patched.status).toBe(200);
    type Settings = { settings: { application: { sent_status: boolean } } };
    const read = (base: string) => request(`${base}${settingsUrl}`, { headers: bearer() });
    expect((await read(b.url)).json<Settings>().settings.application.sent_status).toBe(true);
    expect((await request(`${b.url}${settingsUrl}`, { method: "DELETE", headers: bearer() })).status).toBe(200);
    expect((await read(a.url)).json<Settings>().settings.application.sent_status).toBe(false);

    // Media providers: created on A, listed on B, deleted on B, gone on A.
    const providersUrl = "/v1/settings/application/media/providers";
    const provider = { name: "shared-provider", type: "www", config: { bearer: "provider-secret" } };
    expect((await request(`${a.url}${providersUrl}`, { method: "POST", ...jsonBody([provider]) })).status).toBe(200);
    type Providers = { settings: { application: { media: { providers: Array<{ name: string }> } } } };
    const names = async (base: string) =>
      (await request(`${base}${providersUrl}`, { headers: bearer() }))
        .json<Providers>()
        .settings.application.media.providers.map((p) => p.name);
    expect(await names(b.url)).toContain("shared-provider");
    const removed = await request(`${b.url}${providersUrl}/shared-provider`, { method: "DELETE", headers: bearer() });
    expect(removed.status).toBe(200);
    expect(await names(a.url)).not.toContain("shared-provider");

    // Users: created on A, logs in on B; deleted on B, refused on A.
    const user = { username: `carol-${randomUUID().slice(0, 8)}`, password: "Car0l!pass" };
    expect((await request(`${a.url}/v1/users`, { method: "POST", ...jsonBody(user) })).status).toBe(201);
    await login(b.url, user.username, user.password);
    const deleted = await request(`${b.url}/v1/users/${user.username}`, { method: "DELETE", headers: bearer() });
    expect(deleted.status).toBe(200);
    const refused = await request(`${a.url}/v1/users/login`, {
      method: "POST",
      headers: { Authorization: basic(user.username, user.password) },
    });
    expect(refused.status).toBe(401);

    // Attachments: uploaded on A, sent by id through B.
    const form = new FormData();
    form.append("message", JSON.stringify({ attachment: { type: "image", payload: { is_reusable: true } } }));
    form.append("filedata", new Blob([new Uint8Array(samples.png())], { type: "image/png" }), "pixel.png");
    const uploaded = await fetch(`${a.url}/v21.0/me/message_attachments?access_token=${PAGE_TOKEN}`, {
      method: "POST",
      body: form,
    });
    expect(uploaded.status).toBe(200);
    const { attachment_id } = (await uploaded.json()) as { attachment_id: string };
    const sent = await request(`${b.url}/v21.0/me/messages?access_token=${PAGE_TOKEN}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        recipient: { id: "1254459154682919" },
        message: { attachment: { type: "image", payload: { attachment_id } } },
      }),
    });
    expect(sent.status).toBe(200);
  });

  it("refuses on one instance, at once, a token revoked on the other (logout, password change, deletion)", async () => {
    const settings = (base: string, token: string) =>
      request(`${base}/v1/settings/application`, { headers: bearer(token) });
    // Logout on A; B refuses the token on the next request. Each check is preceded by a successful use on B, so
    // that a cached answer would be there to be served.
    const token = await login(a.url, "admin", ADMIN_PASSWORD);
    expect((await settings(b.url, token)).status).toBe(200);
    expect((await request(`${a.url}/v1/users/logout`, { method: "POST", headers: bearer(token) })).status).toBe(200);
    expect((await settings(b.url, token)).status).toBe(401);

    // A password change on B revokes the user's tokens on A.
    const user = { username: `dave-${randomUUID().slice(0, 8)}`, password: "Dav3!pass" };
    expect((await request(`${a.url}/v1/users`, { method: "POST", ...jsonBody(user) })).status).toBe(201);
    const daveToken = await login(a.url, user.username, user.password);
    const mediaOf = (base: string, t: string) => request(`${base}/v1/media/${randomUUID()}`, { headers: bearer(t) });
    expect((await mediaOf(a.url, daveToken)).status).toBe(404);
    const fresh = await login(b.url, user.username, user.password, "N3w!passwd");
    expect((await mediaOf(a.url, daveToken)).status).toBe(401);
    expect((await mediaOf(a.url, fresh)).status).toBe(404);

    // Deleting the user on A revokes its token on B.
    expect((await mediaOf(b.url, fresh)).status).toBe(404);
    const gone = await request(`${a.url}/v1/users/${user.username}`, { method: "DELETE", headers: bearer() });
    expect(gone.status).toBe(200);
    expect((await mediaOf(b.url, fresh)).status).toBe(401);
  });

  it("applies 200 concurrent settings changes on both instances one after the other", async () => {
    const reset = await request(`${a.url}/v1/settings/application`, { method: "DELETE", headers: bearer() });
    expect(reset.status).toBe(200);
    // Contended: every change sets three of these four to a value of its own.
    const fields = [
      "heartbeat_interval",
      "unhealthy_interval",
      "callback_backoff_delay_ms",
      "max_callback_backoff_delay_ms",
    ];
    const touched = (i: number) => [fields[i % 4]!, fields[(i + 1) % 4]!, fields[(i + 2) % 4]!];
    // Each flipped from its default by one change only: a change lost to a concurrent one shows as a default.
    const flips: Array<[string, Record<string, unknown>]> = [
      ["sent_status", { sent_status: true }],
      ["notify_user_change_number", { notify_user_change_number: true }],
      ["show_security_notifications", { show_security_notifications: true }],
      ["skip_referral_media_download", { skip_referral_media_download: true }],
      ["axolotl_context_striping_disabled", { axolotl_context_striping_disabled: true }],
      ["callback_persist", { callback_persist: false }],
      ["verbose_logging", { verbose_logging: true }],
      ["garbagecollector_enable.media", { garbagecollector_enable: { media: true } }],
      ["webhooks.message.read", { webhooks: { message: { read: false } } }],
      ["webhooks.message.delivered", { webhooks: { message: { delivered: false } } }],
    ];
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const patch = {
          ...Object.fromEntries(touched(i).map((f) => [f, 1000 + i])),
          ...(i % 20 === 0 ? flips[i / 20]![1] : {}),
        };
        const base = i % 2 === 0 ? a.url : b.url;
        return request(`${base}/v1/settings/application`, { method: "PATCH", ...jsonBody(patch) });
      }),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(200).fill(200));
    const final = (await request(`${balancer.url}/v1/settings/application`, { headers: bearer() })).json<{
      settings: { application: Record<string, unknown> };
    }>().settings.application;
    // No change was lost.
    const flipped = flips.filter(([dotted, patch]) => {
      const path = dotted.split(".");
      const want = path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], patch);
      return path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], final) === want;
    });
    expect(flipped.map(([dotted]) => dotted)).toEqual(flips.map(([dotted]) => dotted));
    // Each contended field holds the value of one of the changes that touched it...
    const last = Object.fromEntries(fields.map((f) => [f, (final[f] as number) - 1000]));
    for (const f of fields) expect(touched(last[f]!)).toContain(f);
    // ...and some serial order explains them: every other change that touched a field came before the one whose
    // value it holds. Those "before" constraints must not form a cycle.
    const before = new Map<number, Set<number>>();
    for (let i = 0; i < 200; i++) before.set(i, new Set());
    for (const f of fields) {
      for (let i = 0; i < 200; i++) if (i !== last[f] && touched(i).includes(f)) before.get(last[f]!)!.add(i);
    }
    const done = new Set<number>();
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const [change, preceding] of before) {
        if (!done.has(change) && [...preceding].every((p) => done.has(p))) {
          done.add(change);
          progressed = true;
        }
      }
    }
    expect(done.size).toBe(200);
  }, 120_000);

  it("counts failed logins on both instances against one limit, a burst spread over both included", async () => {
    const wrong = (base: string, localAddress: string) =>
      request(`${base}/v1/users/login`, {
        method: "POST",
        headers: { Authorization: basic("admin", "Wr0ng-passw0rd!") },
        localAddress,
      });
    const alternating: number[] = [];
    for (let i = 0; i < 10; i++) alternating.push((await wrong(i % 2 === 0 ? a.url : b.url, "127.0.0.21")).status);
    expect(alternating).toEqual([...Array(FAILURES_PER_ADDRESS).fill(401), ...Array(4).fill(429)]);

    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => wrong(i % 2 === 0 ? a.url : b.url, "127.0.0.22")),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(FAILURES_PER_ADDRESS);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - FAILURES_PER_ADDRESS);
  }, 120_000);

  it("an instance starting on the shared folder leaves young files alone and removes old leftovers", async () => {
    const media = path.join(shared.mediaDir, "media");
    const youngTemp = path.join(media, "tmp", randomUUID());
    const youngOrphan = path.join(media, randomUUID());
    const oldTemp = path.join(media, "tmp", randomUUID());
    const oldOrphan = path.join(media, randomUUID());
    for (const file of [youngTemp, youngOrphan, oldTemp, oldOrphan]) await writeFile(file, "in progress");
    // Two hours old: past the grace period (an hour) in which another instance may still be writing them.
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    for (const file of [oldTemp, oldOrphan]) await utimes(file, twoHoursAgo, twoHoursAgo);
    const [third] = await startInstances(1, shared);
    try {
      expect(existsSync(youngTemp)).toBe(true);
      expect(existsSync(youngOrphan)).toBe(true);
      expect(existsSync(oldTemp)).toBe(false);
      expect(existsSync(oldOrphan)).toBe(false);
    } finally {
      await third!.stop();
    }
  }, 120_000);
});
