// Pointed at a deployment that is in use, `meta-media-openapi test` leaves it as it found it: settings changed
// beforehand read back the same, the existing provider, media and non-admin user are untouched, and every user,
// media, provider and login token the run created is gone. What the run created is recorded independently of the
// tool, from the replies the server sent.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { png } from "../../conformance/media-files.ts";
import { startReferenceTarget, type ReferenceTarget } from "../../conformance/reference-target.ts";
import { runTool, targetArgs } from "../support/tool-process.ts";

/** What the server created, as its replies said (providers need no record: they can be listed). */
const created = { users: new Set<string>(), media: new Set<string>(), tokens: new Set<string>() };
let recording = false;

async function record(request: Request, response: Response): Promise<void> {
  if (!recording || request.method !== "POST" || response.status < 200 || response.status >= 300) return;
  const { pathname } = new URL(request.url);
  if (!/json/.test(response.headers.get("content-type") ?? "")) return;
  const reply = (await response
    .clone()
    .json()
    .catch(() => undefined)) as
    | { users?: Array<{ username?: string; token?: string }>; media?: Array<{ id: string }> }
    | undefined;
  if (pathname === "/v1/users" && reply?.users?.[0]?.username) created.users.add(reply.users[0].username);
  if (pathname === "/v1/media" && reply?.media?.[0]) created.media.add(reply.media[0].id);
  if (pathname === "/v1/users/login" && reply?.users?.[0]?.token) created.tokens.add(reply.users[0].token);
}

let ref: ReferenceTarget;
let work: string;
let base: string;
let token: string;

const api = (p: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${base}${p}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.json !== undefined ? { "content-type": "application/json" } : {}),
      ...(init.headers as Record<string, string>),
    },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "leave-as-found-"));
  ref = await startReferenceTarget({
    wrap: (app) => ({
      fetch: async (request) => {
        const response = await app.fetch(request);
        await record(request, response);
        return response;
      },
    }),
  });
  base = ref.target.whatsAppBaseUrl;
  const login = await fetch(`${base}/v1/users/login`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`admin:${ref.target.admin.password}`).toString("base64")}` },
  });
  token = ((await login.json()) as { users: Array<{ token: string }> }).users[0]!.token;
});
afterAll(async () => {
  await ref?.close();
  await rm(work, { recursive: true, force: true });
});

describe("leave the target as found", () => {
  it("restores changed settings and removes only what the run created", { timeout: 300_000 }, async () => {
    // A deployment in use: settings away from their defaults, a provider, media and a non-admin user.
    expect(
      (
        await api("/v1/settings/application", {
          method: "PATCH",
          json: {
            sent_status: true,
            callback_backoff_delay_ms: 4500,
            log_level: "warning",
            media: { auto_download: ["image", "audio"] },
            webhooks: {
              url: "https://hooks.example.com/wa?auth=s3cret",
              max_concurrent_requests: 12,
              message: { read: false },
            },
          },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api("/v1/settings/application/media/providers", {
          method: "POST",
          json: [
            { name: "existing-cdn", type: "www", config: { basic: { username: "cdn", password: "Cdn-Passw0rd!" } } },
          ],
        })
      ).status,
    ).toBe(200);
    const bytes = png(3, 2);
    const upload = await api("/v1/media", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(bytes),
    });
    const mediaId = ((await upload.json()) as { media: Array<{ id: string }> }).media[0]!.id;
    expect(
      (await api("/v1/users", { method: "POST", json: { username: "existing-user", password: "Existing-Us3r!" } }))
        .status,
    ).toBe(201);
    const settingsBefore = await (await api("/v1/settings/application")).json();
    const providersBefore = await (await api("/v1/settings/application/media/providers")).json();

    recording = true;
    const run = await runTool(
      ["test", ...targetArgs(ref), "--runs", "15", "--stateful-runs", "3", "--seed", "424242", "--json", "r.json"],
      { cwd: work },
    );
    recording = false;
    expect(run.code, run.stdout + run.stderr).toBe(0);

    expect(await (await api("/v1/settings/application")).json()).toEqual(settingsBefore);
    expect(await (await api("/v1/settings/application/media/providers")).json()).toEqual(providersBefore);
    const download = await api(`/v1/media/${mediaId}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const userLogin = await fetch(`${base}/v1/users/login`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("existing-user:Existing-Us3r!").toString("base64")}` },
    });
    expect(userLogin.status).toBe(200);

    // The run did create things, and none of them is left.
    expect(created.users.size).toBeGreaterThan(1);
    expect(created.media.size).toBeGreaterThan(1);
    for (const id of created.media)
      expect((await api(`/v1/media/${encodeURIComponent(id)}`)).status, `media ${id}`).toBe(404);
    for (const name of created.users)
      expect((await api(`/v1/users/${encodeURIComponent(name)}`, { method: "DELETE" })).status, `user ${name}`).toBe(
        404,
      );
    for (const t of created.tokens) {
      const res = await fetch(`${base}/v1/settings/application`, { headers: { authorization: `Bearer ${t}` } });
      expect(res.status, "a login token of the run still works").toBe(401);
    }
    const report = JSON.parse(await readFile(path.join(work, "r.json"), "utf8")) as {
      checks: Array<{ layer: string; status: string; name: string }>;
      leftBehind: Record<string, unknown>;
    };
    // The run created providers (and deleted them: the list above is as before).
    expect(
      Number(
        /\((\d+)\)$/.exec(
          report.checks.find((c) => c.name.startsWith("the media providers the run created"))!.name,
        )![1],
      ),
    ).toBeGreaterThan(1);
    expect(
      report.checks.filter((c) => c.layer === "cleanup").map((c) => [c.name.replace(/ \(\d+\)$/, ""), c.status]),
    ).toEqual([
      ["log in and read the settings and providers to restore after the run", "passed"],
      ["the application settings read back as before the run", "passed"],
      ["the media providers the run created are deleted and confirmed gone", "passed"],
      ["the media the run created are deleted and confirmed gone", "passed"],
      ["the users the run created are deleted and confirmed gone", "passed"],
      ["the run's login tokens are logged out", "passed"],
      ["nothing the run created or changed is left on the target", "passed"],
    ]);
    expect(report.leftBehind).toMatchObject({
      media: [],
      users: [],
      providers: [],
      maybeCreated: [],
      tokens: 0,
      settings: [],
      irreversible: [],
    });
  });

  it("puts the target back after Ctrl-C in the middle of the fuzzing, and exits 130", {
    timeout: 300_000,
  }, async () => {
    const settingsBefore = await (await api("/v1/settings/application")).json();
    const providersBefore = await (await api("/v1/settings/application/media/providers")).json();
    created.media.clear();
    created.users.clear();
    recording = true;
    const run = await runTool(
      ["test", ...targetArgs(ref), "--layer", "fuzz", "--runs", "40", "--seed", "77", "--json", "interrupted.json"],
      {
        cwd: work,
        // Once the settings have been fuzzed and media and providers created, mid-run.
        interruptWhen: /fuzz {7}updateMediaProviders .*\n/,
      },
    );
    recording = false;
    expect(run.code, run.stdout + run.stderr).toBe(130);
    expect(run.stderr).toContain("interrupted: putting the target back (at most 25 s, with the tokens the run holds)");
    expect(run.stdout).toMatch(/^INTERRUPTED: /m);
    expect(created.media.size).toBeGreaterThan(0);
    expect(await (await api("/v1/settings/application")).json()).toEqual(settingsBefore);
    expect(await (await api("/v1/settings/application/media/providers")).json()).toEqual(providersBefore);
    for (const id of created.media)
      expect((await api(`/v1/media/${encodeURIComponent(id)}`)).status, `media ${id}`).toBe(404);
    for (const name of created.users)
      expect((await api(`/v1/users/${encodeURIComponent(name)}`, { method: "DELETE" })).status, `user ${name}`).toBe(
        404,
      );
    const report = JSON.parse(await readFile(path.join(work, "interrupted.json"), "utf8")) as {
      interrupted: boolean;
      checks: Array<{ subject: string; status: string; message?: string }>;
    };
    expect(report.interrupted).toBe(true);
    // What the interruption prevented is skipped, not failed.
    expect(report.checks.filter((c) => c.status === "failed")).toEqual([]);
    expect(report.checks.some((c) => c.status === "skipped" && c.message === "interrupted (Ctrl-C)")).toBe(true);
  });
});
