import { describe, expect, it } from "vitest";
import { classifyAddress, hostMatches, parseIPv6 } from "./address-policy";

describe("classifyAddress", () => {
  it.each([
    ["127.0.0.1", "a loopback address"],
    ["127.255.1.2", "a loopback address"],
    ["10.0.0.1", "a private address"],
    ["172.16.0.1", "a private address"],
    ["172.31.255.255", "a private address"],
    ["192.168.1.1", "a private address"],
    ["169.254.169.254", "a link-local address (cloud metadata endpoint)"],
    ["169.254.1.1", "a link-local address"],
    ["0.0.0.0", "an unspecified address"],
    ["0.1.2.3", "a 'this network' address"],
    ["100.64.0.1", "a carrier-grade NAT (shared) address"],
    ["100.127.255.255", "a carrier-grade NAT (shared) address"],
    ["224.0.0.1", "a multicast address"],
    ["255.255.255.255", "the broadcast address"],
    ["240.0.0.1", "a reserved address"],
    ["192.0.2.5", "a reserved address"],
    ["::1", "a loopback address"],
    ["[::1]", "a loopback address"],
    ["::", "an unspecified address"],
    ["::ffff:127.0.0.1", "an IPv4-mapped loopback address"],
    ["::ffff:7f00:1", "an IPv4-mapped loopback address"],
    ["::ffff:a9fe:a9fe", "an IPv4-mapped link-local address (cloud metadata endpoint)"],
    ["::ffff:10.1.2.3", "an IPv4-mapped private address"],
    ["::127.0.0.1", "a reserved address"],
    ["64:ff9b::a00:1", "a NAT64 address of a private address"],
    ["2002:7f00:1::", "a 6to4 address of a loopback address"],
    ["fc00::1", "a private (unique local) address"],
    ["fd12:3456::1", "a private (unique local) address"],
    ["fe80::1", "a link-local address"],
    ["fe80::1%eth0", "a link-local address"],
    ["febf::1", "a link-local address"],
    ["ff02::1", "a multicast address"],
    ["2001:db8::1", "a reserved address"],
    ["2001::1", "a reserved (Teredo) address"],
    ["100::1", "a reserved address"],
    ["not-an-ip", "not an IP address"],
  ])("refuses %s as %s", (address, reason) => {
    expect(classifyAddress(address)).toBe(reason);
  });

  it.each(["93.184.215.14", "1.1.1.1", "172.32.0.1", "100.128.0.1", "169.255.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])(
    "allows public %s",
    (address) => {
      expect(classifyAddress(address)).toBeNull();
    },
  );

  it("expands IPv6 forms", () => {
    expect(parseIPv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6("2001:db8::")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("1:2:3:4:5:6:7:8")).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe("hostMatches", () => {
  it("matches exact hosts case-insensitively and wildcards on subdomains only", () => {
    const list = ["api.example.com", "*.example.org", "127.0.0.1", "::1"];
    expect(hostMatches("API.Example.com", list)).toBe(true);
    expect(hostMatches("api.example.com.", list)).toBe(true);
    expect(hostMatches("evil.example.com", list)).toBe(false);
    expect(hostMatches("a.example.org", list)).toBe(true);
    expect(hostMatches("a.b.example.org", list)).toBe(true);
    expect(hostMatches("example.org", list)).toBe(false);
    expect(hostMatches("badexample.org", list)).toBe(false);
    expect(hostMatches("example.org.evil.com", list)).toBe(false);
    expect(hostMatches("[::1]", list)).toBe(true);
    expect(hostMatches("127.0.0.1", list)).toBe(true);
    expect(hostMatches("localhost", list)).toBe(false);
  });

  it("compares IP entries in canonical form", () => {
    expect(hostMatches("::1", ["0:0:0:0:0:0:0:1"])).toBe(true);
    expect(hostMatches("127.0.0.1", ["127.1"])).toBe(true);
  });
});
