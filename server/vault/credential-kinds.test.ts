import { describe, expect, it } from "vitest";
import {
  CREDENTIAL_LIMITS,
  credentialHeaders,
  credentialSecretSchema,
  credentialTemplateValue,
  CredentialUsageError,
  maskedPreview,
  secretValues,
  type CredentialSecret,
} from "./credential-kinds";

const parse = (value: unknown) => credentialSecretSchema.safeParse(value);
const issues = (value: unknown) => {
  const result = parse(value);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
};

describe("credential kinds", () => {
  it("accepts each kind, trimming what cannot carry outer whitespace", () => {
    expect(parse({ kind: "bearer", token: " ghp_abcdef1234567890\n" }).data).toEqual({ kind: "bearer", token: "ghp_abcdef1234567890" });
    expect(parse({ kind: "basic", username: "deploy-bot", password: "pa ss:wörd" }).data).toEqual({ kind: "basic", username: "deploy-bot", password: "pa ss:wörd" });
    expect(parse({ kind: "basic", username: "sk_live_123", password: "" }).success).toBe(true);
    expect(parse({ kind: "header", name: " X-Api-Key ", value: " abc def " }).data).toEqual({ kind: "header", name: "X-Api-Key", value: "abc def" });
    // A plain secret keeps its exact text (a PEM key ends with a newline).
    expect(parse({ kind: "secret", value: "-----BEGIN KEY-----\nabc\n-----END KEY-----\n" }).data?.kind).toBe("secret");
  });

  it("refuses unknown kinds, unknown fields and missing fields", () => {
    expect(parse({ kind: "oauth", token: "x" }).success).toBe(false);
    expect(parse({ kind: "bearer", token: "abc", extra: "x" }).success).toBe(false);
    expect(parse({ kind: "basic", username: "a" }).success).toBe(false);
    expect(parse({ kind: "header", value: "x" }).success).toBe(false);
  });

  it("refuses header names that are not HTTP tokens or that the client owns", () => {
    for (const name of ["Bad Name", "x:y", "", "é", "x\r\ny"]) expect(parse({ kind: "header", name, value: "v" }).success).toBe(false);
    for (const name of ["Host", "content-length", "Transfer-Encoding", "connection", "TE", "upgrade", "Proxy-Authorization", "expect"]) {
      expect(issues({ kind: "header", name, value: "v" })).toEqual(["this header is set by the HTTP client and cannot be a credential"]);
    }
    for (const name of ["Authorization", "X-Api-Key", "cookie", "x~custom!"]) expect(parse({ kind: "header", name, value: "v" }).success).toBe(true);
  });

  it("refuses values that would break or change a header", () => {
    expect(parse({ kind: "header", name: "x-key", value: "a\r\nInjected: yes" }).success).toBe(false);
    expect(parse({ kind: "header", name: "x-key", value: "näive" }).success).toBe(false);
    expect(parse({ kind: "header", name: "x-key", value: "   " }).success).toBe(false);
    expect(parse({ kind: "bearer", token: "two words" }).success).toBe(false);
    expect(parse({ kind: "bearer", token: "tok\u0000en" }).success).toBe(false);
    expect(parse({ kind: "basic", username: "user:name", password: "x" }).success).toBe(false);
    expect(parse({ kind: "basic", username: "", password: "x" }).success).toBe(false);
    expect(parse({ kind: "basic", username: "u", password: "line\nbreak" }).success).toBe(false);
    expect(parse({ kind: "secret", value: "" }).success).toBe(false);
    expect(parse({ kind: "secret", value: "lone \ud800" }).success).toBe(false);
  });

  it("limits the size of every field", () => {
    const over = (chars: number) => "a".repeat(chars + 1);
    const exact = (chars: number) => "a".repeat(chars);
    const cases: Array<[(value: string) => unknown, number]> = [
      [(token) => ({ kind: "bearer", token }), CREDENTIAL_LIMITS.tokenChars],
      [(username) => ({ kind: "basic", username, password: "p" }), CREDENTIAL_LIMITS.usernameChars],
      [(password) => ({ kind: "basic", username: "u", password }), CREDENTIAL_LIMITS.passwordChars],
      [(name) => ({ kind: "header", name, value: "v" }), CREDENTIAL_LIMITS.headerNameChars],
      [(value) => ({ kind: "header", name: "x-key", value }), CREDENTIAL_LIMITS.headerValueChars],
      [(value) => ({ kind: "secret", value }), CREDENTIAL_LIMITS.secretChars],
    ];
    for (const [make, limit] of cases) {
      expect(parse(make(exact(limit))).success).toBe(true);
      expect(parse(make(over(limit))).success).toBe(false);
    }
  });

  it("never quotes the value in a validation message", () => {
    const secret = "sEcReT\u0001value-that-must-not-leak";
    const results = [
      parse({ kind: "bearer", token: secret }),
      parse({ kind: "header", name: "x-key", value: secret }),
      parse({ kind: "basic", username: secret, password: secret }),
    ];
    for (const result of results) {
      expect(result.success).toBe(false);
      expect(JSON.stringify(result.error?.issues)).not.toContain("sEcReT");
      expect(result.error?.message).not.toContain("sEcReT");
    }
  });
});

const bearer: CredentialSecret = { kind: "bearer", token: "ghp_0123456789abcdefWXYZ" };
const basic: CredentialSecret = { kind: "basic", username: "jürgen", password: "p@ss:wörd" };
const header: CredentialSecret = { kind: "header", name: "X-Api-Key", value: "key-1234567890-abcd" };
const plain: CredentialSecret = { kind: "secret", value: "sk-proj-0123456789abcdef" };

describe("credentialHeaders", () => {
  it("builds the Authorization header for bearer and basic (UTF-8), and the named header", () => {
    expect(credentialHeaders(bearer)).toEqual({ authorization: "Bearer ghp_0123456789abcdefWXYZ" });
    const { authorization } = credentialHeaders(basic);
    expect(authorization).toBe(`Basic ${Buffer.from("jürgen:p@ss:wörd", "utf8").toString("base64")}`);
    expect(Buffer.from(authorization?.slice("Basic ".length) ?? "", "base64").toString("utf8")).toBe("jürgen:p@ss:wörd");
    expect(credentialHeaders(header)).toEqual({ "x-api-key": "key-1234567890-abcd" });
  });

  it("refuses a plain secret as a header, explaining the template form", () => {
    expect(() => credentialHeaders(plain, "openai")).toThrow(CredentialUsageError);
    expect(() => credentialHeaders(plain, "openai")).toThrow('credential "openai" is a plain secret and has no header form; use {{credentials.openai}}');
  });
});

describe("credentialTemplateValue", () => {
  it("is the token, the header value or the plain value", () => {
    expect(credentialTemplateValue(bearer)).toBe("ghp_0123456789abcdefWXYZ");
    expect(credentialTemplateValue(header)).toBe("key-1234567890-abcd");
    expect(credentialTemplateValue(plain)).toBe("sk-proj-0123456789abcdef");
  });

  it("refuses basic credentials, pointing to the credential picker", () => {
    expect(() => credentialTemplateValue(basic, "jira")).toThrow(CredentialUsageError);
    expect(() => credentialTemplateValue(basic, "jira")).toThrow('credential "jira" is a username and password; attach it with the credential picker');
  });
});

describe("maskedPreview", () => {
  it("shows the kind, the header name and the last 4 characters of a value of 16 or more", () => {
    expect(maskedPreview(bearer)).toEqual({ kind: "bearer", last4: "WXYZ" });
    expect(maskedPreview(header)).toEqual({ kind: "header", headerName: "X-Api-Key", last4: "abcd" });
    expect(maskedPreview(plain)).toEqual({ kind: "secret", last4: "cdef" });
  });

  it("shows nothing of a value shorter than 16 characters, nor any username", () => {
    expect(maskedPreview({ kind: "bearer", token: "a".repeat(15) })).toEqual({ kind: "bearer" });
    expect(maskedPreview({ kind: "secret", value: "a".repeat(16) })).toEqual({ kind: "secret", last4: "aaaa" });
    expect(maskedPreview(basic)).toEqual({ kind: "basic" });
    expect(JSON.stringify(maskedPreview({ kind: "basic", username: "sk_live_username_key", password: "" }))).not.toContain("sk_live");
  });

  it("counts characters, not UTF-16 units, so an emoji is never cut in half", () => {
    const value = `${"x".repeat(13)}ab🔑c`;
    expect(maskedPreview({ kind: "secret", value })).toEqual({ kind: "secret", last4: "ab🔑c" });
    expect(maskedPreview({ kind: "secret", value: "🔑".repeat(15) })).toEqual({ kind: "secret" });
  });
});

describe("secretValues", () => {
  it("lists each sensitive string and its wire forms", () => {
    expect(secretValues(bearer)).toEqual(["ghp_0123456789abcdefWXYZ", "Bearer ghp_0123456789abcdefWXYZ"]);
    const encoded = Buffer.from("jürgen:p@ss:wörd", "utf8").toString("base64");
    expect(secretValues(basic)).toEqual(["jürgen", "p@ss:wörd", "jürgen:p@ss:wörd", encoded, `Basic ${encoded}`]);
    expect(secretValues(header)).toEqual(["key-1234567890-abcd"]);
    expect(secretValues(plain)).toEqual(["sk-proj-0123456789abcdef"]);
  });

  it("covers everything a header built from the credential contains", () => {
    for (const secret of [bearer, basic, header]) {
      for (const value of Object.values(credentialHeaders(secret))) expect(secretValues(secret)).toContain(value);
    }
  });

  it("leaves out an empty password", () => {
    expect(secretValues({ kind: "basic", username: "sk_live_key", password: "" })).not.toContain("");
  });
});
