/** Handlers of the Users operations: login, logout, create and delete users. */
import type { Context } from "hono";
import type { components } from "../../generated/openapi.d.ts";
import type { JsonReply as Json } from "../edge/operation-types.ts";
import type { WaOperation, WaOperationId } from "../edge/wa-routes.ts";
import { WaHttpError, waMeta } from "../edge/wa-envelope.ts";
import { BUILT_IN_ADMIN, formatWaTimestamp, type UserStore } from "./user-store.ts";

/** User names that would collide with the login and logout paths. */
const RESERVED_USERNAMES = new Set(["login", "logout"]);
const PASSWORD_RULE = "must be 8 to 64 characters with at least one upper-case letter, one lower-case letter, one digit and one special character";

function passwordDetails(field: string): string | undefined {
  return field === "password" || field === "new_password" ? `${field} ${PASSWORD_RULE}` : undefined;
}

/** The Users part of the WA operation table. */
export function userOperations(users: UserStore, version: string): Pick<Record<WaOperationId, WaOperation>, "loginUser" | "logoutUser" | "createUser" | "deleteUser"> {
  const meta = waMeta(version);
  return {
    loginUser: {
      validation: { invalidValueDetails: passwordDetails },
      async handler(c: Context) {
        const user = c.get("waUser");
        const body = c.get("waBody") as components["schemas"]["LoginRequest"] | undefined;
        const newPassword = body?.new_password;
        if (user.mustChangePassword && newPassword === undefined) {
          throw new WaHttpError(400, 1008, "new_password is required: the default admin password must be changed at first login");
        }
        // The new password may equal the old one (Meta states no rule against it); the change still revokes the
        // user's other tokens, which is what a client asking for it wants.
        if (newPassword !== undefined) await users.setPassword(user.username, newPassword);
        const { token, expiresAt } = users.issueToken(user.username);
        const reply: Json<"loginUser", 200> = { users: [{ token, expires_after: formatWaTimestamp(expiresAt) }], meta };
        return c.json(reply, 200);
      },
    },
    logoutUser: {
      handler(c: Context) {
        users.revokeToken(c.get("waTokenHash"));
        const reply: Json<"logoutUser", 200> = { meta };
        return c.json(reply, 200);
      },
    },
    createUser: {
      validation: { invalidValueDetails: passwordDetails },
      async handler(c: Context) {
        const body = c.get("waBody") as components["schemas"]["CreateUserRequest"];
        if (RESERVED_USERNAMES.has(body.username.toLowerCase())) {
          throw new WaHttpError(400, 1009, `username ${body.username} is reserved`);
        }
        if (!(await users.create(body.username, body.password, body.role ?? "ROLE_USER"))) {
          throw new WaHttpError(409, 1004, `User ${body.username} already exists`);
        }
        const reply: Json<"createUser", 201> = { users: [{ username: body.username }], meta };
        return c.json(reply, 201);
      },
    },
    deleteUser: {
      handler(c: Context) {
        const username = c.req.param("username")!;
        if (username === BUILT_IN_ADMIN) throw new WaHttpError(400, 1009, "The built-in admin user cannot be deleted");
        if (!users.delete(username)) throw new WaHttpError(404, 1006, `User ${username} not found`);
        const reply: Json<"deleteUser", 200> = { users: [{ username }], meta };
        return c.json(reply, 200);
      },
    },
  };
}
