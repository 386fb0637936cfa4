import { describe, expect, it } from "vitest";
import { hostInUrl, webPortOf } from "./web-server";

describe("the web server's address", () => {
  it("takes PORT as a whole number from 1 to 65535, 3000 when unset", () => {
    expect(webPortOf(undefined)).toBe(3000);
    expect(webPortOf("3100")).toBe(3100);
    expect(webPortOf("65535")).toBe(65535);
    for (const bad of ["", "0", "65536", "3.5", "abc", " 3000", "-1", "1e3"]) expect(webPortOf(bad), bad).toBeNull();
  });

  it("writes an IPv6 host in brackets in a URL", () => {
    expect(hostInUrl("127.0.0.1")).toBe("127.0.0.1");
    expect(hostInUrl("::1")).toBe("[::1]");
  });
});
