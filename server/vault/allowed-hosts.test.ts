import { describe, expect, it } from "vitest";
import { credentialHostAllowed } from "./allowed-hosts";

const allowed = (url: string, hosts: string[]) => credentialHostAllowed(new URL(url), hosts);

describe("credentialHostAllowed", () => {
  it("allows any host when the list is empty", () => {
    expect(allowed("https://anything.example/x", [])).toBe(true);
  });

  it("matches hosts exactly, case-insensitively, and wildcards for subdomains only", () => {
    expect(allowed("https://API.GitHub.com/user", ["api.github.com"])).toBe(true);
    expect(allowed("https://api.github.com.evil.dev/user", ["api.github.com"])).toBe(false);
    expect(allowed("https://uploads.example.com/", ["*.example.com"])).toBe(true);
    expect(allowed("https://example.com/", ["*.example.com"])).toBe(false);
    expect(allowed("https://evilexample.com/", ["*.example.com"])).toBe(false);
  });

  it("checks the port when the entry names one, and allows any port when it does not", () => {
    expect(allowed("http://127.0.0.1:8080/", ["127.0.0.1:8080"])).toBe(true);
    expect(allowed("http://127.0.0.1:8081/", ["127.0.0.1:8080"])).toBe(false);
    expect(allowed("https://api.example.com/", ["api.example.com:443"])).toBe(true);
    expect(allowed("http://api.example.com/", ["api.example.com:443"])).toBe(false);
    expect(allowed("http://127.0.0.1:9/", ["127.0.0.1"])).toBe(true);
  });

  it("compares IP literals in their canonical form", () => {
    expect(allowed("http://127.0.0.1/", ["127.1"])).toBe(true);
    expect(allowed("http://localhost/", ["127.0.0.1"])).toBe(false);
    expect(allowed("http://[::1]:8080/", ["[::1]:8080"])).toBe(true);
  });
});
