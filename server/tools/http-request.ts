import { lookup } from "node:dns/promises";
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import type { HTTP_METHODS } from "../engine/tools/catalog";
import { classifyAddress, hostMatches, normalizeHost } from "./address-policy";
import { credentialHostAllowed } from "../vault/allowed-hosts";

/**
 * The http_request tool: an HTTP client that cannot be pointed at the worker's own network.
 *
 * For every hop (the first URL and each redirect) it parses the URL itself, applies the
 * allowlist, resolves the name itself and refuses the host if ANY address is loopback,
 * private, link-local (cloud metadata), CGNAT, multicast, reserved or unspecified. It then
 * connects to the address it vetted — node's `lookup` hook is replaced by one that returns
 * that address — so a DNS answer that changes between the check and the connect (rebinding)
 * is never used. Redirects are followed by hand so each target goes through the same check.
 */

export type HttpMethod = (typeof HTTP_METHODS)[number];

export type HttpPolicy = {
  /** When non-empty, only these hosts may be called: exact names or `*.example.com` (subdomains only). */
  allowlist?: readonly string[];
  /**
   * Hosts (names or IP literals, as written in the URL) exempt from the private-address rule.
   * Exists ONLY so tests can call a server on loopback; default empty, and production config
   * should leave it empty. An entry matches the URL's host text, not what it resolves to:
   * allowing "127.0.0.1" does not allow "localhost", so a redirect to another spelling of the
   * same address is still refused. The allowlist still applies to these hosts.
   */
  allowPrivateHosts?: readonly string[];
  /**
   * Applied to every text this client reports (error messages, the response's URL, headers and
   * body) BEFORE it is clipped: a secret cut in half by a length limit would no longer be
   * recognisable to a redactor that runs later.
   */
  redactText?: (text: string) => string;
};

export type HttpRequestInput = {
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
};

/**
 * The credentials a request carries (from the credential picker or `{{credentials.<name>}}`
 * anywhere in its URL, headers or body). Values are already in the request; this says where
 * it may go: every hop's host must be in each credential's `allowedHosts` (empty = any), and
 * no redirect may leave the first URL's origin — a 307/308 would resend the body and every
 * header, and a 301/302 the URL's query, to whoever the server names.
 */
export type CarriedCredentials = {
  /** For messages: which credentials the request carries. */
  names: readonly string[];
  /** The picked credential and the headers it sets; the caller may not set the same ones. */
  picked?: { name: string; headers: Readonly<Record<string, string>> };
  allowedHosts: ReadonlyArray<{ name: string; hosts: readonly string[] }>;
};

export type HttpRequestOptions = HttpPolicy & {
  credentials?: CarriedCredentials;
  signal?: AbortSignal;
  /** Sent as `Idempotency-Key` on non-GET/HEAD requests unless the caller set one. */
  idempotencyKey?: string;
  maxBodyBytes?: number;
};

export type HttpResponseSummary = {
  status: number;
  statusText: string;
  /** The URL that answered, after redirects. */
  url: string;
  redirects: number;
  headers: Record<string, string>;
  /** UTF-8 text of the body (empty for binary content or HEAD). */
  body: string;
  /** Bytes received (at most maxBodyBytes). */
  bodyBytes: number;
  truncated: boolean;
  binary: boolean;
};

export type HttpRequestResult = ({ ok: true } & HttpResponseSummary) | { ok: false; error: string };

export const HTTP_LIMITS = {
  maxRedirects: 5,
  maxBodyBytes: 1_048_576,
  defaultTimeoutMs: 10_000,
  maxTimeoutMs: 30_000,
} as const;

/** Headers the model gets back; the rest (cookies, tracing noise) only costs context. */
const RESPONSE_HEADERS = [
  "content-type",
  "content-length",
  "content-language",
  "content-disposition",
  "location",
  "etag",
  "last-modified",
  "cache-control",
  "retry-after",
  "link",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];

/**
 * Set by this client, never by the caller: `host` would let an allowlisted IP serve another
 * virtual host, framing headers could smuggle a second request, and `accept-encoding` is
 * pinned to identity so the size limit applies to what the model reads.
 */
export const FORBIDDEN_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "keep-alive",
  "proxy-authorization",
  "proxy-connection",
  "accept-encoding",
]);

/** Dropped when a redirect leaves the origin the caller addressed them to. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Vetted = { address: string; family: 4 | 6 };
type Failure = { ok: false; error: string };

export async function httpRequest(input: HttpRequestInput, options: HttpRequestOptions = {}): Promise<HttpRequestResult> {
  const timeoutMs = Math.min(input.timeoutMs ?? HTTP_LIMITS.defaultTimeoutMs, HTTP_LIMITS.maxTimeoutMs);
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_LIMITS.maxBodyBytes;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const abortReason = () => (options.signal?.aborted ? "cancelled" : `timeout: no complete response within ${timeoutMs} ms`);

  const headers = prepareHeaders(input, options);
  if ("error" in headers) return headers;

  const redact = options.redactText ?? unchanged;
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return { ok: false, error: `invalid URL: ${clip(redact(input.url), 200)}` };
  }
  let method: HttpMethod = input.method ?? "GET";
  let body = input.body;
  let requestHeaders = headers.value;
  const carried = options.credentials && options.credentials.names.length > 0 ? options.credentials : undefined;

  try {
    for (let redirects = 0; ; redirects++) {
      if (carried) {
        const refused = credentialHostProblem(url, carried, redact);
        if (refused) return { ok: false, error: refused };
      }
      const vetted = await vetUrl(url, options, signal, redirects > 0);
      if (!vetted.ok) return vetted;
      if (signal.aborted) return { ok: false, error: abortReason() };

      const response = await send(url, vetted, method, requestHeaders, body, maxBodyBytes, signal);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || typeof location !== "string") {
        return { ok: true, ...summarize(response, url, redirects, method, redact) };
      }
      if (redirects >= HTTP_LIMITS.maxRedirects) {
        return { ok: false, error: `too many redirects (more than ${HTTP_LIMITS.maxRedirects})` };
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return { ok: false, error: `redirect to an invalid URL: ${clip(redact(location), 200)}` };
      }
      // What browsers do: 303 always, and 301/302 after a POST, continue as a GET without body.
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
        if (method !== "HEAD") method = "GET";
        body = undefined;
      }
      if (carried && next.origin !== url.origin) {
        return {
          ok: false,
          error:
            `blocked: the server redirected to another origin (${clip(redact(next.origin), 200)}); a request carrying ${credentialList(carried)} ` +
            `follows redirects only within ${url.origin}, so nothing was sent there`,
        };
      }
      if (next.origin !== url.origin) {
        requestHeaders = Object.fromEntries(
          Object.entries(requestHeaders).filter(([name]) => !CREDENTIAL_HEADERS.includes(name)),
        );
      }
      url = next;
    }
  } catch (error) {
    if (signal.aborted) return { ok: false, error: abortReason() };
    return { ok: false, error: `request failed: ${describeNetworkError(error, redact)}` };
  }
}

function prepareHeaders(input: HttpRequestInput, options: HttpRequestOptions): { value: Record<string, string> } | Failure {
  const value: Record<string, string> = {};
  const picked = options.credentials?.picked;
  const fromCredential = picked?.headers ?? {};
  for (const [rawName, headerValue] of Object.entries(input.headers ?? {})) {
    const name = rawName.toLowerCase();
    if (FORBIDDEN_REQUEST_HEADERS.has(name)) return { ok: false, error: `header "${rawName}" is not allowed (the tool sets it)` };
    // Refused rather than overridden: either choice would silently drop what someone meant.
    if (Object.hasOwn(fromCredential, name)) {
      return { ok: false, error: `header "${clip(rawName, 64)}" is set by the credential "${picked?.name ?? ""}"; remove it from headers` };
    }
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, headerValue);
    } catch {
      return { ok: false, error: `header "${clip(rawName, 64)}" has an invalid name or value` };
    }
    value[name] = headerValue;
  }
  for (const [name, headerValue] of Object.entries(fromCredential)) {
    if (FORBIDDEN_REQUEST_HEADERS.has(name)) return { ok: false, error: `the credential's header "${name}" is not allowed (the tool sets it)` };
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, headerValue);
    } catch {
      // Never the value: it is the secret.
      return { ok: false, error: `the credential's header "${clip(name, 64)}" has an invalid name or value` };
    }
    value[name] = headerValue;
  }
  value["accept-encoding"] = "identity";
  value["user-agent"] ??= "AgentFlow http_request";
  const method = input.method ?? "GET";
  if (options.idempotencyKey && method !== "GET" && method !== "HEAD") value["idempotency-key"] ??= options.idempotencyKey;
  return { value };
}

/** Why `url` may not receive the credentials, or null when every one of them may go there. */
function credentialHostProblem(url: URL, carried: CarriedCredentials, redact: (text: string) => string): string | null {
  for (const { name, hosts } of carried.allowedHosts) {
    if (!credentialHostAllowed(url, hosts)) {
      return `blocked: credential "${name}" may only be sent to ${hosts.join(", ")}, not to ${clip(redact(url.host), 200)}; nothing was sent`;
    }
  }
  return null;
}

function credentialList(carried: CarriedCredentials): string {
  return `${carried.names.length === 1 ? "credential" : "credentials"} ${carried.names.map((name) => `"${name}"`).join(", ")}`;
}

/**
 * Decide whether `url` may be fetched and which address to connect to. Runs before any
 * socket is opened; IP literals never touch DNS.
 */
export async function vetUrl(
  url: URL,
  policy: HttpPolicy,
  signal?: AbortSignal,
  isRedirect = false,
): Promise<({ ok: true } & Vetted) | Failure> {
  const prefix = isRedirect ? `blocked: redirect to ${clip((policy.redactText ?? unchanged)(url.href), 200)} refused, ` : "blocked: ";
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, error: `${prefix}only http and https URLs are allowed (got ${url.protocol})` };
  }
  // `http://trusted.com@evil.com/` reads like trusted.com to a person; credentials belong in headers.
  if (url.username || url.password) {
    return { ok: false, error: `${prefix}credentials in the URL are not allowed (use an Authorization header)` };
  }
  const host = normalizeHost(url.hostname);
  if (!host) return { ok: false, error: `${prefix}the URL has no host` };
  const allowlist = policy.allowlist ?? [];
  if (allowlist.length > 0 && !hostMatches(host, allowlist)) {
    return { ok: false, error: `${prefix}${host} is not in the allowlist` };
  }
  const privateAllowed = hostMatches(host, policy.allowPrivateHosts ?? []);

  let addresses: Vetted[];
  const literalFamily = isIP(host);
  if (literalFamily === 4 || literalFamily === 6) {
    addresses = [{ address: host, family: literalFamily }];
  } else {
    try {
      addresses = await resolveAll(url.hostname, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      return { ok: false, error: `could not resolve ${host}` };
    }
    if (addresses.length === 0) return { ok: false, error: `could not resolve ${host}` };
  }

  if (!privateAllowed) {
    for (const { address } of addresses) {
      const reason = classifyAddress(address);
      if (reason) {
        return {
          ok: false,
          error: address === host ? `${prefix}${address} is ${reason}` : `${prefix}${host} resolves to ${address}, ${reason}`,
        };
      }
    }
  }
  // Prefer IPv4: many hosts publish AAAA records that the worker's network cannot route.
  const pinned = addresses.find((candidate) => candidate.family === 4) ?? addresses[0];
  if (!pinned) return { ok: false, error: `could not resolve ${host}` };
  return { ok: true, ...pinned };
}

async function resolveAll(hostname: string, signal?: AbortSignal): Promise<Vetted[]> {
  // dns.lookup cannot be cancelled; racing it keeps the tool's deadline honest.
  const aborted = new Promise<never>((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  const found = await Promise.race([lookup(hostname, { all: true }), aborted]);
  return found.flatMap((entry): Vetted[] =>
    entry.family === 4 || entry.family === 6 ? [{ address: entry.address, family: entry.family }] : [],
  );
}

type RawResponse = {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
};

function send(
  url: URL,
  vetted: Vetted,
  method: HttpMethod,
  headers: Record<string, string>,
  body: string | undefined,
  maxBodyBytes: number,
  signal: AbortSignal,
): Promise<RawResponse> {
  // Every connection attempt — including happy-eyeballs (`all: true`) — gets the vetted
  // address, never a fresh DNS answer.
  const pinnedLookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
    else callback(null, vetted.address, vetted.family);
  };
  const client = url.protocol === "https:" ? https : http;
  return new Promise<RawResponse>((resolve, reject) => {
    const request = client.request(
      url,
      {
        method,
        headers,
        lookup: pinnedLookup,
        // No pooled sockets: a pooled connection was vetted for some earlier request.
        agent: false,
        signal,
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let received = 0;
        let truncated = false;
        const finish = () =>
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? "",
            headers: response.headers,
            body: Buffer.concat(chunks),
            truncated,
          });
        // Redirect bodies are never read; the next hop is what matters.
        if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && response.headers.location) {
          response.destroy();
          finish();
          return;
        }
        response.on("data", (chunk: Buffer) => {
          if (truncated) return;
          const room = maxBodyBytes - received;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, room));
            received += room;
            truncated = true;
            // Stop downloading: the rest would be thrown away anyway.
            response.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
          received += chunk.length;
        });
        response.on("end", finish);
        response.on("error", (error) => {
          if (!truncated) reject(error);
        });
        response.on("aborted", () => {
          if (!truncated) reject(new Error("connection closed before the response ended"));
        });
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

function summarize(response: RawResponse, url: URL, redirects: number, method: HttpMethod, redact: (text: string) => string): HttpResponseSummary {
  const headers: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = clip(redact(Array.isArray(value) ? value.join(", ") : value), 512);
  }
  const binary = method !== "HEAD" && isBinary(headers["content-type"], response.body);
  return {
    status: response.status,
    statusText: redact(response.statusText),
    url: redact(url.href),
    redirects,
    headers,
    body: binary ? "" : redact(new TextDecoder("utf-8").decode(response.body)),
    bodyBytes: response.body.length,
    truncated: response.truncated,
    binary,
  };
}

function isBinary(contentType: string | undefined, body: Buffer): boolean {
  const type = (contentType ?? "").toLowerCase();
  if (/^(image\/(?!svg)|audio\/|video\/|font\/|application\/(octet-stream|pdf|zip|gzip|x-gzip|x-tar|wasm|x-7z))/.test(type)) {
    return true;
  }
  // No or vague content type: a NUL byte near the start is a reliable sign of binary data.
  return body.subarray(0, 1024).includes(0);
}

function describeNetworkError(error: unknown, redact: (text: string) => string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error && typeof error === "object" && "code" in error && typeof error.code === "string" ? error.code : "";
  return clip(redact(code && !message.includes(code) ? `${code}: ${message}` : message), 200);
}

function unchanged(text: string): string {
  return text;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
