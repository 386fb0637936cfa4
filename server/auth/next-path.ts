/**
 * Where to go after signing in. Only a path of this app: `//evil.com` or `https://evil.com`
 * would make the sign-in page an open redirect.
 */
export function safeNextPath(value: string | string[] | undefined | null, fallback = "/workflows"): string {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\") || /[\u0000-\u001f]/.test(next)) return fallback;
  return next;
}
