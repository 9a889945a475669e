/** `npm start`: reads the configuration, opens the data directory and serves the reference server. */
import { createAppFromConfig } from "./app.ts";
import { ConfigError, loadConfig, type ServerConfig } from "./config.ts";
import { serveNode } from "./edge/serve-node.ts";

async function main(): Promise<void> {
  let config: ServerConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const { app, close } = await createAppFromConfig(config);
  const { server, url: base } = await serveNode(app, { host: config.host, port: config.port });
  {
    console.log(`Reference server listening on ${base}`);
    console.log(`  docs:        ${base}/docs`);
    console.log(`  spec:        ${base}/openapi.json`);
    console.log(`  data dir:    ${config.dataDir}`);
    if (config.adminPassword === undefined) {
      console.log("  WA login:    admin / secret (first login must set new_password) unless already changed");
    }
    if (config.messenger.generatedDevPage) {
      for (const [pageId, token] of Object.entries(config.messenger.pages)) {
        console.log(`  Messenger:   development page ${pageId}, page access token ${token} (set MESSENGER_PAGES to choose)`);
      }
    }
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing`);
    server.close(() => {
      close();
      process.exit(0);
    });
    // Keep-alive connections may hold close() open; do not wait for them forever.
    setTimeout(() => {
      close();
      process.exit(0);
    }, 5000).unref();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

await main();
