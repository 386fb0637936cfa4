import { getEnv } from "../env";

/**
 * Which Host headers the app answers and which Origins may change state. A page on another
 * site can point a name it controls at 127.0.0.1 (DNS rebinding) and then talk to the app as
 * "same origin"; the Host header still carries that foreign name, so refusing unknown hosts
 * closes the door. Loopback literals stay allowed: a rebinding attack never sends them.
 */
const LOOPBACK_HOSTNAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

function hostOf(url: string): string {
  return new URL(url).host.toLowerCase();
}

/** Host headers (host[:port]) the app answers, besides loopback. */
export function allowedHosts(): Set<string> {
  const env = getEnv();
  const hosts = new Set<string>([hostOf(env.APP_URL)]);
  for (const entry of env.ALLOWED_HOSTS.split(",")) {
    const host = entry.trim().toLowerCase();
    if (host) hosts.add(host);
  }
  return hosts;
}

export function isAllowedHost(hostHeader: string | null, hosts: ReadonlySet<string> = allowedHosts()): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.trim().toLowerCase();
  if (hosts.has(host)) return true;
  const hostname = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0] ?? "";
  return LOOPBACK_HOSTNAMES.has(hostname);
}

/** Origins (scheme://host[:port]) whose pages may send state-changing requests. */
export function allowedOrigins(): string[] {
  const env = getEnv();
  const appOrigin = new URL(env.APP_URL).origin;
  const scheme = new URL(env.APP_URL).protocol;
  const port = new URL(env.APP_URL).port;
  const origins = new Set<string>([appOrigin]);
  for (const host of allowedHosts()) origins.add(`${scheme}//${host}`);
  for (const hostname of LOOPBACK_HOSTNAMES) origins.add(`${scheme}//${hostname}${port ? `:${port}` : ""}`);
  return [...origins];
}

export function isAllowedOrigin(origin: string, hostHeader: string | null): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowedOrigins().includes(parsed.origin)) return true;
  // A page served under a loopback name may call its own origin (local development).
  return parsed.host.toLowerCase() === hostHeader?.toLowerCase() && isAllowedHost(parsed.host);
}
