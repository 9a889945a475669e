/** `npm start`: the reference server, configured from the environment (server/startup.ts). */
import { ENVIRONMENT_NAMES, runServer } from "./startup.ts";

await runServer(process.env, ENVIRONMENT_NAMES);
