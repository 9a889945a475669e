/** HTTP Basic credentials of a WA account: the login's only way in. */

/** An account of the WA API. */
export interface WhatsAppAccount {
  username: string;
  password: string;
}

/** `Authorization: Basic` value for an account. */
export function basic(account: WhatsAppAccount): string {
  return `Basic ${Buffer.from(`${account.username}:${account.password}`).toString("base64")}`;
}

/** The user name in a `Basic` Authorization header, if it has one. */
export function basicUsername(header: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}
