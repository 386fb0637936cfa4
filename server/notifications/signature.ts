import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * How a webhook receiver knows a request came from this workspace and was not replayed:
 *
 *   AgentFlow-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * The timestamp is inside what is signed, so a receiver that refuses old timestamps (five
 * minutes is usual) also refuses a captured request sent again later. The same scheme as
 * Stripe's, so receivers' existing code fits. README.md ("Notifications") documents it.
 */
export const SIGNATURE_HEADER = "AgentFlow-Signature";
export const SIGNING_SECRET_PREFIX = "whsec_";

export function newSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
}

export function signatureHex(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`, "utf8").digest("hex");
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureHex(secret, timestamp, body)}`;
}

/**
 * A receiver's check, as the README describes it: the header parses, the timestamp is within
 * `toleranceSeconds` of `now`, and one v1 signature matches (compared in constant time).
 */
export function verifySignature(params: { secret: string; header: string; body: string; nowSeconds: number; toleranceSeconds?: number }): boolean {
  const parts = params.header.split(",").map((part) => part.trim().split("="));
  const timestampText = parts.find(([key]) => key === "t")?.[1];
  const timestamp = Number(timestampText);
  if (!timestampText || !Number.isInteger(timestamp)) return false;
  if (Math.abs(params.nowSeconds - timestamp) > (params.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureHex(params.secret, timestamp, params.body), "hex");
  return parts
    .filter(([key]) => key === "v1")
    .some(([, value]) => {
      const given = Buffer.from(value ?? "", "hex");
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}
