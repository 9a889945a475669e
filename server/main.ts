/** `npm start`: reads the configuration from the environment, opens the data directory and serves the reference server. */
import { ENVIRONMENT_NAMES, runServer } from "./startup.ts";

await runServer(process.env, ENVIRONMENT_NAMES);
