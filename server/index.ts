/** The reference server as a library: build the Hono app from configuration (or from explicit dependencies). */
export { createApp, createAppFromConfig, type AppDeps } from "./app.ts";
export { loadConfig, type ServerConfig } from "./config.ts";
export { loadMessengerConfig, type MessengerConfig } from "./attachments/config.ts";
export { systemClock, type Clock } from "./clock.ts";
