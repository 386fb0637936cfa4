import { hostMatches } from "../tools/address-policy";

/**
 * A credential's `allowedHosts`: where a request carrying it may go. An entry is a host
 * (`api.github.com`), a wildcard for subdomains (`*.example.com`, not example.com itself) and
 * optionally a port (`127.0.0.1:8443`, which then must match too — without one, any port).
 * An empty list means any host the http_request tool may call at all.
 */

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443" };

export function credentialHostAllowed(url: URL, allowedHosts: readonly string[]): boolean {
  if (allowedHosts.length === 0) return true;
  const port = url.port || DEFAULT_PORTS[url.protocol] || "";
  return allowedHosts.some((entry) => {
    const { host, port: entryPort } = splitEntry(entry);
    if (entryPort !== null && entryPort !== port) return false;
    return hostMatches(url.hostname, [host]);
  });
}

/** `host[:port]`, with IPv6 literals in brackets (`[::1]:8080`). */
function splitEntry(entry: string): { host: string; port: string | null } {
  const text = entry.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] ?? "", port: bracketed[2] ?? null };
  const withPort = /^([^:]+):(\d{1,5})$/.exec(text);
  if (withPort) return { host: withPort[1] ?? "", port: String(Number(withPort[2])) };
  return { host: text, port: null };
}
