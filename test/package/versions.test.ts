/**
 * The client and the tool are released together at one version: both manifests, the tool's exact dependency on the
 * client and the lock file agree (`npm run version -- X.Y.Z` writes them all), and the tool imports the client by its
 * package name only, never by a path into client/.
 */
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(import.meta.dirname, "../..");
const CLIENT = "@meta-media-openapi/client";
const readJson = async (file: string) => JSON.parse(await readFile(path.join(repo, file), "utf8"));

describe("one version for both packages", () => {
  it("the tool, the client, the tool's dependency and the lock file name the same version", async () => {
    const tool = await readJson("package.json");
    const client = await readJson("client/package.json");
    const lock = await readJson("package-lock.json");
    expect(tool.workspaces).toEqual(["client"]);
    expect(client.name).toBe(CLIENT);
    expect(client.version).toBe(tool.version);
    expect(tool.dependencies[CLIENT]).toBe(tool.version);
    expect([lock.version, lock.packages[""].version, lock.packages.client.version]).toEqual([
      tool.version,
      tool.version,
      tool.version,
    ]);
    expect(lock.packages[""].dependencies[CLIENT]).toBe(tool.version);
    expect(lock.packages[`node_modules/${CLIENT}`]).toEqual({ resolved: "client", link: true });
  });

  it("the client depends on openapi-fetch alone, and both carry the same license, LICENSE and engines", async () => {
    const tool = await readJson("package.json");
    const client = await readJson("client/package.json");
    expect(Object.keys(client.dependencies)).toEqual(["openapi-fetch"]);
    expect(client.devDependencies).toBeUndefined();
    expect(client.license).toBe(tool.license);
    expect(client.engines).toEqual(tool.engines);
    expect(await readFile(path.join(repo, "client", "LICENSE"), "utf8")).toBe(
      await readFile(path.join(repo, "LICENSE"), "utf8"),
    );
  });

  it("the tool's code imports the client by package name, and the client imports nothing of the tool", async () => {
    const sources = async (folder: string) =>
      (await readdir(path.join(repo, folder), { recursive: true }))
        .filter((f) => f.endsWith(".ts") || f.endsWith(".mjs"))
        .map((f) => path.join(folder, f));
    for (const file of [...(await sources("server")), ...(await sources("cli")), ...(await sources("conformance"))]) {
      expect(await readFile(path.join(repo, file), "utf8"), file).not.toMatch(/from\s+["'](\.\.\/)+client\//);
    }
    for (const file of (await sources("client")).filter((f) => !f.startsWith(path.join("client", "dist")))) {
      const code = await readFile(path.join(repo, file), "utf8");
      expect(code, file).not.toMatch(/from\s+["'](\.\.\/)+(server|conformance|cli|scripts)\//);
      expect(code, file).not.toMatch(/^import [^;]*from\s+["']node:/m);
    }
  });
});
