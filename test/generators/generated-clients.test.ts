/**
 * docs/generate-a-client.md (the README's "Generate a client"), run as a user would, once per generator: in an empty
 * project holding a copy of generated/ (and this repository's node_modules, where the pinned generators are), the
 * section's files and commands; then `tsc --strict` over the generated code and the example; then the example against a
 * fresh reference server, whose state is checked afterwards with this package's own client rather than taken from the
 * example's word.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessengerClient, createWhatsAppClient, WhatsAppApiError } from "../../client/index.ts";
import { referenceTarget, type ClientTarget } from "../client/client-target.ts";
import { tinyPng } from "../../conformance/media-files.ts";
import { namedTsFiles, readmeSection, shellCommands } from "../support/readme-section.ts";

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "../..");
const tsc = path.join(repo, "node_modules", "typescript", "bin", "tsc");
const manifest = JSON.parse(await readFile(path.join(repo, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>;
};

/** The generators the section shows, by the heading of their subsection. */
const generators = [
  { heading: "@hey-api/openapi-ts", packageName: "@hey-api/openapi-ts", example: "hey-api-example.ts" },
  { heading: "orval", packageName: "orval", example: "orval-example.ts" },
] as const;

/** The text of the `## <heading>` subsection of docs/generate-a-client.md, up to the next one. */
function subsection(section: string, heading: string): string {
  const start = section.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/generate-a-client.md has no "## ${heading}"`);
  const next = section.indexOf("\n## ", start + 1);
  return section.slice(start, next < 0 ? undefined : next);
}

/** Runs a shell command of the README in `cwd`; a failure carries its output, so the test says what broke. */
async function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await exec("sh", ["-c", command], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    });
    return stdout;
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`\`${command}\` failed:\n${stdout}\n${stderr}`);
  }
}

let section: string;
let work: string;
const photo = tinyPng(8, 8, [20, 120, 220]);

beforeAll(async () => {
  section = await readmeSection("generate");
  work = await mkdtemp(path.join(os.tmpdir(), "mmo-generators-"));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("docs/generate-a-client.md", () => {
  it("installs exactly the generator versions this repository pins and tests", async () => {
    for (const g of generators) {
      const installs = shellCommands(subsection(section, g.heading)).filter((c) => c.startsWith("npm install"));
      const pinned = manifest.devDependencies[g.packageName];
      expect(pinned, `${g.packageName} in devDependencies`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(installs).toEqual([`npm install --save-dev --save-exact ${g.packageName}@${pinned}`]);
      const installed = JSON.parse(
        await readFile(path.join(repo, "node_modules", g.packageName, "package.json"), "utf8"),
      );
      expect(installed.version).toBe(pinned);
    }
  });

  describe.each(generators)("$heading", (g) => {
    let project: string;
    let commands: string[];
    let target: ClientTarget | undefined;

    beforeAll(async () => {
      const text = subsection(section, g.heading);
      commands = shellCommands(text).filter((c) => !c.startsWith("npm install"));
      project = path.join(work, g.packageName.replace(/[@/]/g, "_"));
      await mkdir(path.join(project, "generated"), { recursive: true });
      await symlink(path.join(repo, "node_modules"), path.join(project, "node_modules"), "dir");
      for (const name of await readdir(path.join(repo, "generated"))) {
        if (name.endsWith(".json"))
          await copyFile(path.join(repo, "generated", name), path.join(project, "generated", name));
      }
      await writeFile(
        path.join(project, "package.json"),
        JSON.stringify({ name: "generated-client", private: true, type: "module" }),
      );
      await writeFile(path.join(project, "photo.png"), photo);
      for (const { file, code } of namedTsFiles(text)) {
        await mkdir(path.dirname(path.join(project, file)), { recursive: true });
        await writeFile(path.join(project, file), code);
      }
    });
    afterAll(async () => {
      await target?.close();
    });

    it("generates the client with the commands shown", { timeout: 180_000 }, async () => {
      const generation = commands.filter((c) => !c.includes(g.example));
      expect(generation.length).toBeGreaterThan(0);
      for (const command of generation) await sh(command, project);
    });

    it("type-checks the generated code, the files shown and the example with tsc --strict", {
      timeout: 180_000,
    }, async () => {
      await writeFile(
        path.join(project, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: "ES2022",
            module: "ESNext",
            moduleResolution: "Bundler",
            lib: ["ES2023", "DOM", "DOM.Iterable"],
            types: ["node"],
            noEmit: true,
            // Only declaration files are skipped (the generators' own); the generated clients are .ts and checked.
            skipLibCheck: true,
          },
          include: ["src", "*.ts"],
        }),
      );
      const result = await exec(process.execPath, [tsc, "-p", "tsconfig.json"], {
        cwd: project,
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { stdout?: string; stderr?: string }) => ({
        stdout: `tsc failed\n${err.stdout ?? ""}`,
        stderr: err.stderr ?? "",
      }));
      expect(`${result.stdout}${result.stderr}`).toBe("");
    });

    it("completes the round trip against the reference server", { timeout: 180_000 }, async () => {
      // The faithful default admin (admin / secret, changed at the
      // first login) and a page that requires appsecret_proof.
      target = await referenceTarget({ env: { WA_ADMIN_PASSWORD: "" } });
      const newPassword = "Gener4ted-Client!";
      const run = commands.filter((c) => c.includes(g.example));
      expect(run).toEqual([`npx tsx ${g.example} photo.png`]);
      const stdout = await sh(run[0]!, project, {
        WA_BASE_URL: target.waBaseUrl,
        WA_USERNAME: "admin",
        WA_PASSWORD: "secret",
        WA_NEW_PASSWORD: newPassword,
        GRAPH_BASE_URL: `${target.graphBaseUrl}/${target.graphVersion}`,
        PAGE_ID: target.pageId,
        PAGE_ACCESS_TOKEN: target.pageToken,
        APP_SECRET: target.appSecret,
        IMAGE_URL: target.imageUrl,
        RECIPIENT_ID: "1254459154682919",
      });
      const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
        mediaId: string;
        sameBytes: boolean;
        waId: string;
        restartRequired: string[];
        attachments: string[];
        sent: string[];
      };
      expect(report).toEqual({
        mediaId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        sameBytes: true,
        waId: expect.stringMatching(/^\d+$/),
        restartRequired: ["webhooks.max_concurrent_requests"],
        attachments: [expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)],
        sent: [expect.any(String), expect.any(String)],
      });
      expect(new Set(report.attachments).size).toBe(2);

      // What the server now holds, seen through this package's client: the new password, the PNG, the settings.
      const wa = createWhatsAppClient({ baseUrl: target.waBaseUrl, username: "admin", password: newPassword });
      const media = await wa.downloadMedia(report.mediaId);
      expect(media.contentType).toBe("image/png");
      expect(Buffer.from(await new Response(media.stream).arrayBuffer()).equals(Buffer.from(photo))).toBe(true);
      const { settings } = await wa.getApplicationSettings();
      expect(settings.application.webhooks.max_concurrent_requests).toBe(12);
      expect(settings.application.callback_backoff_delay_ms).toBe(5000);
      const oldPassword = createWhatsAppClient({ baseUrl: target.waBaseUrl, username: "admin", password: "secret" });
      const refused = await oldPassword.getApplicationSettings().catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(WhatsAppApiError);
      expect((refused as WhatsAppApiError).status).toBe(401);
      // Both attachments were stored as reusable attachments of this page: they can be sent again by id.
      const messenger = createMessengerClient({
        accessToken: target.pageToken,
        appSecret: target.appSecret,
        pageId: target.pageId,
        baseUrl: target.graphBaseUrl,
      });
      for (const attachmentId of report.attachments) {
        const again = await messenger.sendAttachment("1254459154682919", { attachmentId, type: "image" });
        expect(again.message_id).toEqual(expect.any(String));
      }
    });
  });
});
