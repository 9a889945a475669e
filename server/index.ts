/** The reference server as a library: build the Hono app from configuration, or from explicit dependencies. */
export {
  createApp,
  createAppFromConfig,
  openConfiguredStorage,
  tidyStorage,
  type AppConfig,
  type AppOptions,
  type AppOverrides,
  type ReferenceApp,
} from "./app.ts";
export { loadConfig, type ServerConfig } from "./config.ts";
export { loadMessengerConfig, type MessengerConfig } from "./attachments/config.ts";
export { systemClock, type Clock } from "./clock.ts";
export { createMemoryStorage } from "./storage/memory/memory-storage.ts";
export type { Storage, StorageOptions } from "./storage/storage.ts";
export { loadOpenApiDocument, readOpenApiDocument, type OpenApiDocument } from "../spec-model/openapi-document.ts";
export { registerOperations, type FamilyRegistration } from "./edge/operation-registrar.ts";
export type { ApiFamily, SecurityHandler } from "./edge/api-family.ts";
export type { HandlerTable, OperationEntry, OperationReply, OperationInput } from "./edge/operation-handler.ts";
export { createEmulator, type Emulator, type EmulatorOptions } from "./emulator.ts";
