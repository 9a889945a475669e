/**
 * Read the application settings, change a few, and see which changes need a Coreapp restart (admin only).
 *
 *   WA_BASE_URL=http://127.0.0.1:8080 WA_USERNAME=admin WA_PASSWORD='Chang3-Me!' npx tsx examples/change-settings.ts
 */
import { createWhatsAppClient, WhatsAppApiError } from "@meta-media-openapi/client";

const wa = createWhatsAppClient({
  baseUrl: process.env.WA_BASE_URL ?? "http://127.0.0.1:8080",
  username: process.env.WA_USERNAME ?? "admin",
  password: process.env.WA_PASSWORD ?? "",
});

try {
  const before = (await wa.getApplicationSettings()).settings.application;
  console.log(
    `callback_backoff_delay_ms: ${before.callback_backoff_delay_ms}, ` +
      `auto_download: ${JSON.stringify(before.media?.auto_download)}`,
  );

  // A PATCH names only what changes; it is all-or-nothing, and
  // unknown fields or bad values are refused (400, 1009/1010).
  const reply = await wa.updateApplicationSettings({
    callback_backoff_delay_ms: 5000,
    media: { auto_download: ["image", "document"] },
    webhooks: { max_concurrent_requests: 12 },
  });
  console.log(`restart required for: ${reply?.restart_required?.join(", ") || "nothing"}`);

  const after = (await wa.getApplicationSettings()).settings.application;
  console.log(
    `callback_backoff_delay_ms: ${after.callback_backoff_delay_ms}, ` +
      `auto_download: ${JSON.stringify(after.media?.auto_download)}`,
  );
} catch (err) {
  if (err instanceof WhatsAppApiError) {
    console.error(err.message); // for example "WhatsApp API 400: 1010 Parameter is not required: ..."
    process.exit(1);
  }
  throw err;
}
