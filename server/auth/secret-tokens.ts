import { createHash, randomBytes } from "node:crypto";

/**
 * Bearer secrets we mint (API keys, trigger tokens, invite links): 32 random bytes behind a
 * prefix that says what they are. Only the sha256 is stored — a leaked database leaks no
 * working token — and since they are long and random a fast hash is the right tool (a slow
 * password hash would only slow every API call down).
 */
export type TokenKind = "api_key" | "trigger_token" | "invitation";

const PREFIXES: Record<TokenKind, string> = { api_key: "afk_", trigger_token: "aft_", invitation: "afi_" };

export function mintToken(kind: TokenKind): { token: string; hash: string; prefix: string } {
  const token = `${PREFIXES[kind]}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, 12) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function tokenKindOf(token: string): TokenKind | null {
  for (const [kind, prefix] of Object.entries(PREFIXES) as [TokenKind, string][]) if (token.startsWith(prefix)) return kind;
  return null;
}
