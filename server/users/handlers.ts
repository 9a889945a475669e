/** Handlers of the Users operations: login, logout, create and delete users. */
import type { HandlerTable } from "../edge/operation-handler.ts";
import { whatsAppErrors, whatsAppMeta } from "../edge/whatsapp-envelope.ts";
import type { WhatsAppAuth } from "../edge/whatsapp-security.ts";
import { BUILT_IN_ADMIN, formatWhatsAppTimestamp, type UserStore } from "./user-store.ts";

/** User names that would collide with the login and logout paths. */
const RESERVED_USERNAMES = new Set(["login", "logout"]);
const PASSWORD_RULE =
  "must be 8 to 64 characters with at least one upper-case letter, one lower-case letter, one digit " +
  "and one special character";

function passwordDetails(field: string): string | undefined {
  return field === "password" || field === "new_password" ? `${field} ${PASSWORD_RULE}` : undefined;
}

/** The Users part of the WA handler table. */
export function userHandlers(users: UserStore, version: string): HandlerTable<WhatsAppAuth> {
  const meta = whatsAppMeta(version);
  return {
    loginUser: {
      validation: { invalidValue: passwordDetails },
      async handle({ auth, body }) {
        if (auth.scheme !== "basic") throw new Error("loginUser is secured by waBasicAuth in the spec");
        const newPassword = body?.new_password;
        if (auth.user.mustChangePassword && newPassword === undefined) {
          throw whatsAppErrors.missingParameter(
            "new_password is required: the default admin password must be changed at first login",
          );
        }
        // The new password may equal the old one (Meta states no rule against it); the change still revokes the
        // user's other tokens, which is what a client asking for it wants.
        if (newPassword !== undefined) await users.setPassword(auth.user.username, newPassword);
        const { token, expiresAt } = await users.issueToken(auth.user.username);
        return { status: 200, body: { users: [{ token, expires_after: formatWhatsAppTimestamp(expiresAt) }], meta } };
      },
    },
    logoutUser: {
      async handle({ auth }) {
        if (auth.scheme !== "bearer") throw new Error("logoutUser is secured by waBearerAuth in the spec");
        await users.revokeToken(auth.tokenHash);
        return { status: 200, body: { meta } };
      },
    },
    createUser: {
      validation: { invalidValue: passwordDetails },
      async handle({ body }) {
        if (RESERVED_USERNAMES.has(body.username.toLowerCase())) {
          throw whatsAppErrors.invalidParameter(`username ${body.username} is reserved`);
        }
        if (!(await users.create(body.username, body.password, body.role ?? "ROLE_USER"))) {
          throw whatsAppErrors.alreadyExists(`User ${body.username} already exists`);
        }
        return { status: 201, body: { users: [{ username: body.username }], meta } };
      },
    },
    deleteUser: {
      async handle({ params }) {
        const { username } = params;
        if (username === BUILT_IN_ADMIN)
          throw whatsAppErrors.invalidParameter("The built-in admin user cannot be deleted");
        if (!(await users.delete(username))) throw whatsAppErrors.notFound(`User ${username} not found`);
        return { status: 200, body: { users: [{ username }], meta } };
      },
    },
  };
}
