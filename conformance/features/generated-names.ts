/**
 * Names and secrets the suite makes up for what it creates: unique (a random suffix), so that they can only name
 * something this run created, and valid for the spec (user names and provider names are path segments: never `.`
 * or `..`, which URLs resolve away).
 */
import { randomBytes } from "node:crypto";

/** `<prefix>-<10 hex digits>`. */
export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(5).toString("hex")}`;

/** A password that meets the spec's rule (upper, lower, digit, special; 8 to 64 characters). */
export const strongPassword = () => `Ct-${randomBytes(8).toString("base64url")}7x!`;
