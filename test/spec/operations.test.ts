// The spec describes exactly the operations of the product, no more, no fewer.
import { describe, expect, it } from "vitest";
import { deref, listOperations, loadOpenApiDocument } from "../../spec-model/openapi-document.ts";

const expected = [
  ["post", "/v1/users/login", "loginUser"],
  ["post", "/v1/users/logout", "logoutUser"],
  ["post", "/v1/users", "createUser"],
  ["delete", "/v1/users/{username}", "deleteUser"],
  ["post", "/v1/media", "uploadMedia"],
  ["get", "/v1/media/{media_id}", "downloadMedia"],
  ["delete", "/v1/media/{media_id}", "deleteMedia"],
  ["get", "/v1/settings/application", "getApplicationSettings"],
  ["patch", "/v1/settings/application", "updateApplicationSettings"],
  ["delete", "/v1/settings/application", "resetApplicationSettings"],
  ["get", "/v1/settings/application/media/providers", "getMediaProviders"],
  ["post", "/v1/settings/application/media/providers", "updateMediaProviders"],
  ["delete", "/v1/settings/application/media/providers/{provider_name}", "deleteMediaProvider"],
  ["post", "/{page_id}/message_attachments", "uploadAttachment"],
  ["post", "/{page_id}/messages", "sendMessage"],
] as const;

const doc = loadOpenApiDocument();
const operations = listOperations(doc);

describe("operations of the spec", () => {
  it("are exactly the 15 of the product (method, path, operationId)", () => {
    const actual = operations.map((o) => [o.method, o.path, o.operationId]);
    expect(actual.sort()).toEqual(expected.map((e) => [...e]).sort());
  });

  it.each(operations.map((o) => [o.operationId, o] as const))(
    "%s has summary, description, tag, security and a 4xx",
    (_id, o) => {
      expect(o.operation.summary).toBeTruthy();
      expect(o.operation.description).toBeTruthy();
      expect(o.operation.tags?.length).toBe(1);
      expect(o.operation.security?.length).toBeGreaterThan(0);
      expect(Object.keys(o.operation.responses).some((s) => s.startsWith("4"))).toBe(true);
    },
  );

  it("WA operations use bearer auth except login (basic); Graph operations use the page access token", () => {
    for (const o of operations) {
      const schemes = (o.operation.security ?? []).flatMap((s) => Object.keys(s)).sort();
      const family = o.operation["x-api-family"];
      expect(["whatsapp", "messenger"], o.operationId).toContain(family);
      if (o.operationId === "loginUser") expect(schemes).toEqual(["waBasicAuth"]);
      else if (family === "whatsapp") expect(schemes).toEqual(["waBearerAuth"]);
      else expect(schemes).toEqual(["graphAccessToken", "graphBearerAuth"]);
    }
  });

  it("admin-only operations name ROLE_ADMIN as the scope of their requirement, and exactly they document a 403", () => {
    const adminOnly = (o: (typeof operations)[number]) =>
      (o.operation.security ?? []).some((requirement) => requirement.waBearerAuth?.includes("ROLE_ADMIN"));
    expect(operations.filter(adminOnly).map((o) => o.operationId)).toContain("getApplicationSettings");
    for (const o of operations) expect(Boolean(o.operation.responses["403"]), o.operationId).toBe(adminOnly(o));
  });

  it("Graph paths declare the Graph API server with version v21.0 by default, and a local one", () => {
    for (const p of ["/{page_id}/message_attachments", "/{page_id}/messages"]) {
      const servers = (doc.paths[p]!.servers ?? []) as Array<{
        url: string;
        variables?: Record<string, { default: string }>;
      }>;
      expect(servers.map((s) => s.url)).toEqual([
        "https://graph.facebook.com/{version}",
        "http://127.0.0.1:8080/{version}",
      ]);
      expect(servers[0]!.variables?.version?.default).toBe("v21.0");
    }
  });

  it("every settings field of the ApplicationSettings schema is described with its default", () => {
    const settings = (
      doc.components.schemas as Record<string, { properties: Record<string, { "x-default"?: unknown }> }>
    ).ApplicationSettings!;
    const fields = Object.keys(settings.properties).sort();
    expect(fields).toEqual(
      [
        "axolotl_context_striping_disabled",
        "callback_backoff_delay_ms",
        "callback_persist",
        "db_garbagecollector_enable",
        "garbagecollector_enable",
        "heartbeat_interval",
        "log_level",
        "max_callback_backoff_delay_ms",
        "media",
        "notify_user_change_number",
        "pass_through",
        "sent_status",
        "show_security_notifications",
        "skip_referral_media_download",
        "unhealthy_interval",
        "verbose_logging",
        "wa_id",
        "webhook_payload_conversation_pricingmodel_disabled",
        "webhooks",
      ].sort(),
    );
    expect(settings.properties.callback_backoff_delay_ms!["x-default"]).toBe(3000);
    expect(settings.properties.max_callback_backoff_delay_ms!["x-default"]).toBe(900000);
  });

  it("states every settings default in words too: the description of each `x-default` names its value", () => {
    const stated: string[] = [];
    const walk = (schema: Record<string, unknown>, at: string) => {
      const resolved =
        typeof schema.$ref === "string"
          ? { ...deref<Record<string, unknown>>(doc, { $ref: schema.$ref }), ...schema }
          : schema;
      if ("x-default" in resolved) {
        expect(resolved.description, at).toContain(
          `Defaults to \`${JSON.stringify(resolved["x-default"]).replace(/^"|"$/g, "")}\``,
        );
        stated.push(at);
      }
      for (const [name, child] of Object.entries(
        (resolved.properties ?? {}) as Record<string, Record<string, unknown>>,
      ))
        walk(child, `${at}.${name}`);
    };
    walk(doc.components.schemas!.ApplicationSettings as Record<string, unknown>, "ApplicationSettings");
    // Every setting but wa_id (read-only, from configuration) and the two objects whose leaves carry the defaults.
    expect(stated.length).toBe(22);
  });
});
