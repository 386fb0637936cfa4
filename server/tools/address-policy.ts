import { isIPv4, isIPv6 } from "node:net";

/**
 * Which IP addresses and hosts the http_request tool may reach.
 *
 * The rule is "public unicast only": an agent's HTTP tool must not become a way into the
 * worker's own network (loopback services, the VPC, the cloud metadata endpoint). Every
 * address a host resolves to is classified here, and one forbidden address refuses the host.
 */

/** Why an address is refused ("a loopback address"), or null when it is public. */
export function classifyAddress(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIPv4(bare)) return classifyIPv4(parseIPv4(bare));
  if (isIPv6(bare)) return classifyIPv6(bare);
  return "not an IP address";
}

function parseIPv4(address: string): number[] {
  return address.split(".").map((part) => Number(part));
}

function inV4(octets: number[], base: [number, number, number, number], prefix: number): boolean {
  const value = toUint32(octets);
  const network = toUint32(base);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((value & mask) >>> 0) === ((network & mask) >>> 0);
}

function toUint32(octets: readonly number[]): number {
  return (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0;
}

function classifyIPv4(o: number[]): string | null {
  if (toUint32(o) === 0) return "an unspecified address";
  if (inV4(o, [0, 0, 0, 0], 8)) return "a 'this network' address";
  if (inV4(o, [127, 0, 0, 0], 8)) return "a loopback address";
  if (inV4(o, [10, 0, 0, 0], 8) || inV4(o, [172, 16, 0, 0], 12) || inV4(o, [192, 168, 0, 0], 16)) {
    return "a private address";
  }
  if (inV4(o, [169, 254, 169, 254], 32)) return "a link-local address (cloud metadata endpoint)";
  if (inV4(o, [169, 254, 0, 0], 16)) return "a link-local address";
  if (inV4(o, [100, 64, 0, 0], 10)) return "a carrier-grade NAT (shared) address";
  if (toUint32(o) === 0xffffffff) return "the broadcast address";
  if (inV4(o, [224, 0, 0, 0], 4)) return "a multicast address";
  if (inV4(o, [240, 0, 0, 0], 4)) return "a reserved address";
  // Protocol assignments, documentation and benchmarking ranges: never a real service, and
  // some clouds route 192.0.0.0/24 to internal infrastructure.
  if (
    inV4(o, [192, 0, 0, 0], 24) ||
    inV4(o, [192, 0, 2, 0], 24) ||
    inV4(o, [198, 51, 100, 0], 24) ||
    inV4(o, [203, 0, 113, 0], 24) ||
    inV4(o, [198, 18, 0, 0], 15)
  ) {
    return "a reserved address";
  }
  return null;
}

/** Eight 16-bit groups; handles `::` and a trailing dotted quad (`::ffff:1.2.3.4`). */
export function parseIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const o = parseIPv4(dotted[1]);
    tail.push((((o[0] ?? 0) << 8) | (o[1] ?? 0)) >>> 0, (((o[2] ?? 0) << 8) | (o[3] ?? 0)) >>> 0);
    text = text.slice(0, -dotted[1].length);
    if (text.endsWith(":") && !text.endsWith("::")) text = text.slice(0, -1);
  }
  const [head = "", rest] = text.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = [...parse(rest ?? ""), ...tail];
  const fill = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...fill, ...right];
}

function classifyIPv6(address: string): string | null {
  const g = parseIPv6(address);
  const at = (i: number) => g[i] ?? 0;
  const embeddedV4 = (hi: number, lo: number) => [hi >>> 8, hi & 0xff, lo >>> 8, lo & 0xff];
  const firstSixZero = [0, 1, 2, 3, 4, 5].every((i) => at(i) === 0);

  if (g.every((group) => group === 0)) return "an unspecified address";
  if (firstSixZero && at(6) === 0 && at(7) === 1) return "a loopback address";
  // IPv4-mapped (::ffff:a.b.c.d): the kernel connects to the IPv4 address itself.
  if ([0, 1, 2, 3, 4].every((i) => at(i) === 0) && at(5) === 0xffff) {
    const inner = classifyIPv4(embeddedV4(at(6), at(7)));
    return inner ? `an IPv4-mapped ${inner.replace(/^an? /, "")}` : null;
  }
  // Deprecated IPv4-compatible (::a.b.c.d): nothing legitimate uses it.
  if (firstSixZero) return "a reserved address";
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address that a gateway will reach.
  if (at(0) === 0x64 && at(1) === 0xff9b && [2, 3, 4, 5].every((i) => at(i) === 0)) {
    const inner = classifyIPv4(embeddedV4(at(6), at(7)));
    return inner ? `a NAT64 address of ${inner}` : null;
  }
  if (at(0) === 0x2002) {
    const inner = classifyIPv4(embeddedV4(at(1), at(2)));
    return inner ? `a 6to4 address of ${inner}` : null;
  }
  if ((at(0) & 0xfe00) === 0xfc00) return "a private (unique local) address";
  if ((at(0) & 0xffc0) === 0xfe80) return "a link-local address";
  if ((at(0) & 0xffc0) === 0xfec0) return "a private (site-local) address";
  if ((at(0) & 0xff00) === 0xff00) return "a multicast address";
  // Teredo (2001::/32) hides its IPv4 endpoints; documentation prefixes are never real.
  if (at(0) === 0x2001 && at(1) === 0) return "a reserved (Teredo) address";
  if (at(0) === 0x2001 && at(1) === 0xdb8) return "a reserved address";
  if (at(0) === 0x3fff && (at(1) & 0xf000) === 0) return "a reserved address";
  // Everything outside global unicast 2000::/3 is special-purpose.
  if ((at(0) & 0xe000) !== 0x2000) return "a reserved address";
  return null;
}

/** Lower-case host without IPv6 brackets or a trailing dot, as entries are compared. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
}

/**
 * Canonical form of a configured host entry: an IP literal is passed through the WHATWG URL
 * parser so "0:0::1" and "::1" (or "127.1" and "127.0.0.1") compare equal to what a URL yields.
 */
function canonicalEntry(entry: string): string {
  const bare = normalizeHost(entry);
  if (bare.startsWith("*.")) return bare;
  try {
    return normalizeHost(new URL(`http://${isIPv6(bare) ? `[${bare}]` : bare}/`).hostname);
  } catch {
    return bare;
  }
}

/**
 * `host` matches an entry when equal (case-insensitive) or, for `*.example.com`, when it is a
 * subdomain of example.com at any depth. `*.example.com` does not match example.com itself:
 * list both if both are meant.
 */
export function hostMatches(host: string, entries: readonly string[]): boolean {
  const target = normalizeHost(host);
  return entries.some((raw) => {
    const entry = canonicalEntry(raw);
    if (entry.startsWith("*.")) {
      const suffix = entry.slice(1);
      return target.endsWith(suffix) && target.length > suffix.length;
    }
    return entry === target;
  });
}
