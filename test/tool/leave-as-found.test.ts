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
import { runTool, targetArgs } from "./tool-process.ts";

/** What the server created, as its replies said. */
const created = { users: new Set<string>(), media: new Set<string>(), providers: new Set<string>(), tokens: new Set<string>() };
let recording = false;

async function record(request: Request, response: Response): Promise<void> {
  if (!recording || response.status < 200 || response.status >= 300) return;
  const { pathname } = new URL(request.url);
  const body = request.method === "POST" && /json/.test(request.headers.get("content-type") ?? "") ? await request.clone().text().catch(() => "") : "";
  const reply = /json/.test(response.headers.get("content-type") ?? "") ? ((await response.clone().json().catch(() => undefined)) as Record<string, never> | undefined) : undefined;
  const parsed = (() => {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  })();
  if (request.method === "POST" && pathname === "/v1/users") created.users.add((parsed as { username: string }).username);
  if (request.method === "POST" && pathname === "/v1/media") created.media.add((reply as { media: Array<{ id: string }> } | undefined)!.media[0]!.id);
  if (request.method === "POST" && pathname === "/v1/settings/application/media/providers") for (const p of parsed as Array<{ name: string }>) created.providers.add(p.name);
  if (request.method === "POST" && pathname === "/v1/users/login") created.tokens.add((reply as { users: Array<{ token: string }> } | undefined)!.users[0]!.token);
}

let ref: ReferenceTarget;
let work: string;
let base: string;
let token: string;

const api = (p: string, init: RequestInit & { json?: unknown } = {}) =>
  fetch(`${base}${p}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { "content-type": "application/json" } : {}), ...(init.headers as Record<string, string>) },
    ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
  });

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "leave-as-found-"));
  ref = await startReferenceTarget({
    wrap: (app) => ({
      fetch: async (request) => {
        const copy = request.clone();
        const response = await app.fetch(request);
        await record(copy, response);
        return response;
      },
    }),
  });
  base = ref.target.waBaseUrl;
  const login = await fetch(`${base}/v1/users/login`, { method: "POST", headers: { authorization: `Basic ${Buffer.from(`admin:${ref.target.admin.password}`).toString("base64")}` } });
  token = ((await login.json()) as { users: Array<{ token: string }> }).users[0]!.token;
});
afterAll(async () => {
  await ref?.close();
  await rm(work, { recursive: true, force: true });
});

describe("leave the target as found", () => {
  it("restores changed settings and removes only what the run created", { timeout: 300_000 }, async () => {
    // A deployment in use: settings away from their defaults, a provider, media and a non-admin user.
    expect((await api("/v1/settings/application", {
      method: "PATCH",
      json: { sent_status: true, callback_backoff_delay_ms: 4500, log_level: "warning", media: { auto_download: ["image", "audio"] }, webhooks: { url: "https://hooks.example.com/wa?auth=s3cret", max_concurrent_requests: 12, message: { read: false } } },
    })).status).toBe(200);
    expect((await api("/v1/settings/application/media/providers", { method: "POST", json: [{ name: "existing-cdn", type: "www", config: { basic: { username: "cdn", password: "Cdn-Passw0rd!" } } }] })).status).toBe(200);
    const bytes = png(3, 2);
    const upload = await api("/v1/media", { method: "POST", headers: { "content-type": "image/png" }, body: new Uint8Array(bytes) });
    const mediaId = ((await upload.json()) as { media: Array<{ id: string }> }).media[0]!.id;
    expect((await api("/v1/users", { method: "POST", json: { username: "existing-user", password: "Existing-Us3r!" } })).status).toBe(201);
    const settingsBefore = await (await api("/v1/settings/application")).json();
    const providersBefore = await (await api("/v1/settings/application/media/providers")).json();

    recording = true;
    const run = await runTool(["test", ...targetArgs(ref), "--runs", "15", "--stateful-runs", "3", "--seed", "424242", "--json", "r.json"], { cwd: work });
    recording = false;
    expect(run.code, run.stdout + run.stderr).toBe(0);

    expect(await (await api("/v1/settings/application")).json()).toEqual(settingsBefore);
    expect(await (await api("/v1/settings/application/media/providers")).json()).toEqual(providersBefore);
    const download = await api(`/v1/media/${mediaId}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    const userLogin = await fetch(`${base}/v1/users/login`, { method: "POST", headers: { authorization: `Basic ${Buffer.from("existing-user:Existing-Us3r!").toString("base64")}` } });
    expect(userLogin.status).toBe(200);

    // The run did create things, and none of them is left.
    expect(created.users.size).toBeGreaterThan(1);
    expect(created.media.size).toBeGreaterThan(1);
    expect(created.providers.size).toBeGreaterThan(1);
    expect(created.providers.has("existing-cdn")).toBe(false);
    for (const id of created.media) expect((await api(`/v1/media/${encodeURIComponent(id)}`)).status, `media ${id}`).toBe(404);
    for (const name of created.users) expect((await api(`/v1/users/${encodeURIComponent(name)}`, { method: "DELETE" })).status, `user ${name}`).toBe(404);
    for (const t of created.tokens) {
      const res = await fetch(`${base}/v1/settings/application`, { headers: { authorization: `Bearer ${t}` } });
      expect(res.status, "a login token of the run still works").toBe(401);
    }
    const report = JSON.parse(await readFile(path.join(work, "r.json"), "utf8")) as { checks: Array<{ layer: string; status: string; name: string }>; leftBehind: Record<string, unknown[]> };
    expect(report.checks.filter((c) => c.layer === "cleanup").map((c) => [c.name.replace(/ \(\d+\)$/, ""), c.status])).toEqual([
      ["log in and read the settings and providers to restore after the run", "passed"],
      ["the application settings read back as before the run", "passed"],
      ["the media providers the run created are deleted", "passed"],
      ["the media the run created are deleted", "passed"],
      ["the users the run created are deleted", "passed"],
      ["the run's login tokens are logged out", "passed"],
    ]);
    expect(report.leftBehind).toMatchObject({ media: [], users: [], providers: [], irreversible: [] });
  });
});
