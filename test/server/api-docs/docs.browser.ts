/**
 * The rendered docs in a real browser: Debian's Chromium (playwright-core) against `npm start`. Every operation's
 * summary and every error code of the spec must be on screen, no Markdown may show as text, the two-envelope table
 * must be readable, the page must name the server's own origin, the search box must find an error code, nothing may
 * be loaded from outside the server, and `/` must link to working pages.
 */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundlePath } from "../../../spec-model/openapi-document.ts";
import { npmStart, type StartedServer } from "../../support/npm-start.ts";
import { launchChromium } from "../../support/chromium.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const screenshots = path.join(repoRoot, "test-results", "browser");

interface Operation {
  operationId: string;
  summary: string;
  tag: string;
}
interface Bundle {
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, { operationId?: string; summary?: string; tags?: string[] }>>;
  components: { examples: Record<string, { value?: unknown }> };
}
const bundle = JSON.parse(await readFile(bundlePath, "utf8")) as Bundle;

const operations: Operation[] = Object.values(bundle.paths).flatMap((item) =>
  Object.values(item)
    .filter((op) => typeof op === "object" && op.operationId)
    .map((op) => ({ operationId: op.operationId!, summary: op.summary!, tag: op.tags![0]! })),
);

/** Every error code and subcode the spec's examples use (WA `errors[].code`, Graph `error.code`/`error_subcode`). */
function errorCodesOfSpec(): number[] {
  const codes = new Set<number>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (node === null || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    if (Array.isArray(obj.errors)) for (const e of obj.errors) if (typeof e?.code === "number") codes.add(e.code);
    const graph = obj.error as Record<string, unknown> | undefined;
    if (graph && typeof graph === "object") {
      if (typeof graph.code === "number") codes.add(graph.code);
      if (typeof graph.error_subcode === "number") codes.add(graph.error_subcode);
    }
    Object.values(obj).forEach(visit);
  };
  visit(bundle.paths);
  visit(bundle.components.examples);
  return [...codes].sort((a, b) => a - b);
}

/**
 * Visible text outside code that still reads as Markdown (a backtick, `**`, a `[text](link)`): what Redoc showed
 * without rendering it.
 */
function literalMarkdown(): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? "";
      if (!/`|\*\*|\]\(/.test(text)) continue;
      const parent = node.parentElement;
      if (!parent || parent.closest("script, style, code, pre, textarea")) continue;
      const box = parent.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      found.push(text.trim().slice(0, 200));
    }
    return found;
  });
}

/** The heading Redoc gives an operation's page (its text is the summary; a deep-link anchor sits inside). */
function operationHeading(summary: string) {
  return page.locator("h1, h2").filter({ hasText: summary });
}

let server: StartedServer;
let browser: Browser;
let page: Page;
const offOrigin: Array<{ url: string; failure: string | undefined }> = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  await mkdir(screenshots, { recursive: true });
  server = await npmStart();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const origin = new URL(server.baseUrl).origin;
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("request", (req) => {
    const url = req.url();
    if (/^https?:/.test(url) && new URL(url).origin !== origin) offOrigin.push({ url, failure: undefined });
  });
  page.on("requestfailed", (req) => {
    const seen = offOrigin.find((r) => r.url === req.url() && r.failure === undefined);
    if (seen) seen.failure = req.failure()?.errorText;
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("/docs in Chromium", () => {
  const seenText: string[] = [];
  const markdownShown = new Set<string>();

  it("shows every operation's summary in the menu and on its own page, with each response", async () => {
    await page.goto(`${server.baseUrl}/docs`);
    await expect
      .poll(() => page.getByRole("heading", { name: /Meta messaging media APIs/ }).count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    seenText.push(await page.innerText("body"));
    for (const text of await literalMarkdown()) markdownShown.add(text);
    await page.screenshot({ path: path.join(screenshots, "docs-overview.png") });

    for (const tag of bundle.tags) {
      const group = page
        .locator(".menu-item-type-group")
        .filter({ has: page.locator(`span[data-text="${tag.name}"]`) })
        .first();
      await group.locator("a").first().click();
      for (const op of operations.filter((o) => o.tag === tag.name)) {
        const entry = group
          .locator(".menu-item-type-operation a")
          .filter({ has: page.locator(`span[data-text="${op.summary}"]`) });
        await expect.poll(() => entry.isVisible(), { message: `menu entry "${op.summary}"` }).toBe(true);
        await entry.click();
        const heading = operationHeading(op.summary);
        await expect.poll(() => heading.first().isVisible(), { message: `page of "${op.summary}"` }).toBe(true);
        expect(page.url()).toContain(`/${op.operationId.toLowerCase()}`);
        if (op.operationId === "uploadAttachment") {
          await page.screenshot({ path: path.join(screenshots, "docs-upload-attachment.png") });
        }
        // Each response (200, 400, 401...) shows its description and first example only when its tab is chosen.
        const tabs = page.getByRole("tab");
        const count = await tabs.count();
        expect(count, `response tabs of ${op.operationId}`).toBeGreaterThan(0);
        for (let i = 0; i < count; i++) {
          await tabs.nth(i).click();
          seenText.push(await page.innerText("body"));
          for (const text of await literalMarkdown()) markdownShown.add(text);
        }
      }
    }
  });

  it("shows no Markdown as text on any page or response tab", () => {
    // The walk above went through every operation and response tab (seenText), scanning each for Markdown.
    expect(seenText.length).toBeGreaterThan(operations.length);
    expect([...markdownShown]).toEqual([]);
  });

  it("shows the two-envelope table readable: wide enough cells, no code broken inside a word", async () => {
    await page.goto(`${server.baseUrl}/docs`);
    const section = page.locator(`a[href$="/section/two-families-two-envelopes"]`).first();
    await expect.poll(() => section.isVisible(), { timeout: 30_000 }).toBe(true);
    await section.click();
    const table = page.locator("table").filter({ hasText: "WaErrorResponse" }).first();
    await expect.poll(() => table.isVisible()).toBe(true);
    await table.scrollIntoViewIfNeeded();
    await table.screenshot({ path: path.join(screenshots, "docs-envelope-table.png") });
    const layout = await table.evaluate((el) => ({
      cells: [...el.querySelectorAll("th, td")].map((cell) => ({
        text: cell.textContent ?? "",
        width: cell.getBoundingClientRect().width,
      })),
      // A code span may wrap at a space or after a hyphen; more lines than that means it was cut inside a word.
      brokenCode: [...el.querySelectorAll("code")]
        .filter((code) => {
          const text = code.textContent ?? "";
          const breaks = text.trim().split(/\s+|(?<=-)/).length;
          return code.getClientRects().length > breaks;
        })
        .map((code) => code.textContent),
    }));
    expect(layout.cells.length).toBeGreaterThanOrEqual(12);
    expect(layout.cells.filter((cell) => cell.width < 90)).toEqual([]);
    expect(layout.brokenCode).toEqual([]);
  });

  it("names the server's own origin, not the spec's fixed :8080, as the local reference server", async () => {
    const text = await page.innerText("body");
    expect(text).toContain(server.baseUrl);
    expect(text).not.toContain("127.0.0.1:8080");
  });

  it("shows every error code and subcode the spec uses", () => {
    const codes = errorCodesOfSpec();
    // The codes the project's facts single out must be among them (the spec dropping one is a failure too).
    expect(codes).toEqual(
      expect.arrayContaining([100, 190, 1004, 1005, 1006, 1008, 1009, 1010, 1011, 2018008, 2018047, 2018074, 2018294]),
    );
    const text = seenText.join("\n");
    const missing = codes.filter((code) => !new RegExp(`(?<![0-9])${code}(?![0-9])`).test(text));
    expect(missing).toEqual([]);
  });

  it("finds an error code with the search box and opens the operation", async () => {
    await page.goto(`${server.baseUrl}/docs`);
    await page.getByText("Search", { exact: false }).first().click();
    const input = page.getByPlaceholder("Search docs...");
    await input.fill("2018294");
    const summary = operations.find((o) => o.operationId === "uploadAttachment")!.summary;
    const result = page.getByText(summary, { exact: true }).last();
    await expect.poll(() => result.isVisible(), { timeout: 15_000 }).toBe(true);
    await page.screenshot({ path: path.join(screenshots, "docs-search.png") });
    await result.click();
    await expect.poll(() => page.url()).toContain("/uploadattachment");
    await expect.poll(() => operationHeading(summary).first().isVisible()).toBe(true);
  });

  it("loaded nothing from outside the server and raised no script error", () => {
    // Redoc's attribution logo and telemetry point at Redocly's
    // hosts; the page's CSP must stop them before the network.
    expect(offOrigin.filter((r) => r.failure !== "csp")).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe("/ in Chromium", () => {
  it(
    "lists the development page (id only) and that the admin password needs changing, " + "and its links work",
    async () => {
      const res = await page.goto(`${server.baseUrl}/`);
      expect(res?.status()).toBe(200);
      const devPage = /development page ([0-9]+), page access token (\S+)/.exec(server.output());
      expect(devPage, server.output()).not.toBeNull();
      const body = await page.innerText("body");
      expect(body).toContain(devPage![1]);
      expect(await page.content()).not.toContain(devPage![2]);
      expect(await page.getAttribute("#admin-status", "data-state")).toBe("change-required");
      await page.screenshot({ path: path.join(screenshots, "index.png") });

      const expected: Record<string, RegExp> = {
        "/docs": /^text\/html/,
        "/openapi.json": /^application\/json/,
        "/openapi.yaml": /^application\/yaml/,
      };
      const hrefs = await page.locator("#links a").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
      expect(hrefs.sort()).toEqual(Object.keys(expected).sort());
      // The per-family bundles, for client generators, each as JSON and YAML.
      const familyHrefs = await page
        .locator("#family-bundles a")
        .evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
      expect(familyHrefs.sort()).toEqual(
        ["whatsapp", "messenger", "messenger.multipart"]
          .flatMap((name) => [`/${name}.openapi.json`, `/${name}.openapi.yaml`])
          .sort(),
      );
      for (const href of familyHrefs)
        expected[href] = href.endsWith(".json") ? /^application\/json/ : /^application\/yaml/;
      for (const href of [...hrefs, ...familyHrefs]) {
        const reply = await page.request.get(new URL(href, server.baseUrl).href);
        expect(reply.status(), href).toBe(200);
        expect(reply.headers()["content-type"], href).toMatch(expected[href]!);
        const text = await reply.text();
        // The served bundle names this server, not the spec's fixed local origin, as the local reference server.
        const named = JSON.parse(JSON.stringify(bundle).replaceAll("http://127.0.0.1:8080", server.baseUrl)) as Bundle;
        if (href === "/openapi.json") expect(JSON.parse(text)).toEqual(named);
        if (href === "/openapi.yaml") expect(text).toMatch(/^openapi: 3\.1/);
      }
      // And the docs link, followed by clicking it, renders the reference.
      await page.getByRole("link", { name: "API reference" }).click();
      // Redoc renders this spec in several seconds on a busy machine: vitest's default poll (1 s) is too short.
      await expect
        .poll(
          () =>
            page
              .getByPlaceholder("Search docs...")
              .count()
              .then(async (n) => n + (await page.getByText("Search").count())),
          {
            timeout: 30_000,
          },
        )
        .toBeGreaterThan(0);
      expect(new URL(page.url()).pathname).toBe("/docs");
    },
  );

  it("shows the admin password as changed after the first login sets it", async () => {
    const login = await page.request.post(`${server.baseUrl}/v1/users/login`, {
      headers: { Authorization: `Basic ${Buffer.from("admin:secret").toString("base64")}` },
      data: { new_password: "Br0wser-Test!" },
    });
    expect(login.status()).toBe(200);
    await page.goto(`${server.baseUrl}/`);
    expect(await page.getAttribute("#admin-status", "data-state")).toBe("changed");
  });
});
