import { describe, expect, it } from "vitest";
import { secretValues } from "./credential-kinds";
import { createRedactor, redactSecrets } from "./redact";

/** Every awkward character at once: quote, slash, plus, equals, space, backslash, non-ASCII, astral. */
const SECRET = 'p"a/s+s=w ö\\rd-🔑-Zq9';
const R = "[redacted]";

/** JSON-escaped the way PHP's json_encode and Python's json.dumps do: `\/` and `\u00f6`. */
function asciiJson(text: string, upper = false): string {
  return JSON.stringify(text)
    .slice(1, -1)
    .replaceAll("/", "\\/")
    .replace(/[^\x20-\x7e]/g, (char) => {
      const hex = char.charCodeAt(0).toString(16).padStart(4, "0");
      return `\\u${upper ? hex.toUpperCase() : hex}`;
    });
}

/** Percent-encoding that, like Python's quote(), leaves "/" alone and writes lowercase hex. */
function lowerQuote(text: string): string {
  return encodeURIComponent(text)
    .replaceAll("%2F", "/")
    .replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

describe("redactSecrets", () => {
  it("replaces a secret in nested values, arrays and keys, and leaves other text alone", () => {
    const value = {
      ok: true,
      count: 3,
      nothing: null,
      text: `before ${SECRET} after`,
      list: ["plain", [`${SECRET}${SECRET}`], { deeper: { deepest: `x${SECRET}` } }],
      [`key-${SECRET}`]: "value",
    };
    expect(redactSecrets(value, [SECRET])).toEqual({
      ok: true,
      count: 3,
      nothing: null,
      text: `before ${R} after`,
      list: ["plain", [R], { deeper: { deepest: `x${R}` } }],
      [`key-${R}`]: "value",
    });
  });

  it("catches the secret JSON-escaped: standard, with \\/ and \\u escapes (either case), and escaped twice", () => {
    const standard = JSON.stringify({ echo: SECRET });
    const php = `{"echo":"${asciiJson(SECRET)}"}`;
    const upper = `{"echo":"${asciiJson(SECRET, true)}"}`;
    const twice = JSON.stringify({ body: JSON.stringify({ authorization: `Bearer ${SECRET}` }) });
    for (const body of [standard, php, upper, twice]) {
      const redacted = redactSecrets({ body }, [SECRET]).body;
      expect(redacted).toContain(R);
      expect(redacted).not.toContain("Zq9");
    }
    expect(redactSecrets(php, [SECRET])).toBe(`{"echo":"${R}"}`);
    // Without "+" or "%" in the secret, only the JSON reading can find these.
    const noPlus = 'q"u/o\\té-Zq9';
    for (const body of [JSON.stringify({ echo: noPlus }), `{"echo":"${asciiJson(noPlus)}"}`, JSON.stringify(JSON.stringify({ echo: noPlus }))]) {
      expect(redactSecrets(body, [noPlus]), body).not.toContain("Zq9");
    }
  });

  it("catches the secret percent-encoded: either hex case, + for space, / left alone, inside JSON, or twice", () => {
    const forms = [
      `https://api.example.com/cb?token=${encodeURIComponent(SECRET)}&x=1`,
      `?token=${lowerQuote(SECRET)}&x=1`,
      `token=${new URLSearchParams({ t: SECRET }).toString().slice(2)}&x=1`,
      `{"url":"https:\\/\\/example.com\\/?t=${lowerQuote(SECRET).replaceAll("/", "\\/")}"}`,
      `next=${encodeURIComponent(`https://example.com/?t=${encodeURIComponent(SECRET)}`)}`,
    ];
    for (const form of forms) {
      const redacted = redactSecrets(form, [SECRET]);
      expect(redacted, form).toContain(R);
      expect(redacted, form).not.toMatch(/Zq9/);
    }
    expect(redactSecrets(forms[0], [SECRET])).toBe(`https://api.example.com/cb?token=${R}&x=1`);
  });

  it("catches the secret as HTML character references", () => {
    const html = `<p>Your key: ${SECRET.replaceAll('"', "&quot;").replaceAll("/", "&#x2F;").replaceAll("+", "&#43;")}</p>`;
    expect(redactSecrets(html, [SECRET])).toBe(`<p>Your key: ${R}</p>`);
  });

  it("redacts a secret cut off at the end of a string, with or without an ellipsis", () => {
    const token = "ghp_0123456789abcdefghijklmnopqrstuvwxyz";
    expect(redactSecrets({ header: `Bearer ${token.slice(0, 20)}…` }, [token])).toEqual({ header: `Bearer ${R}…` });
    expect(redactSecrets(`token=${token.slice(0, 12)}`, [token])).toBe(`token=${R}`);
    // Fewer than 8 characters of its start, or a prefix in the middle of the text, is not a cut-off secret.
    expect(redactSecrets(`token=${token.slice(0, 7)}`, [token])).toBe(`token=${token.slice(0, 7)}`);
    expect(redactSecrets(`${token.slice(0, 12)} and more`, [token])).toBe(`${token.slice(0, 12)} and more`);
    // The longest cut-off piece goes, even when the secret's start repeats inside it.
    expect(redactSecrets("value: abcdefghabcdefgh", ["abcdefghabcdefghXYZ123"])).toBe(`value: ${R}`);
    expect(redactSecrets("abcdefgh", ["abcdefghabcdefghXYZ123"])).toBe(R);
  });

  it("merges overlapping matches of derived forms into one replacement", () => {
    const values = secretValues({ kind: "bearer", token: "tok_abcdef123456" });
    expect(redactSecrets("Authorization: Bearer tok_abcdef123456.", values)).toBe(`Authorization: ${R}.`);
    expect(redactSecrets("a-tok_abcdef123456tok_abcdef123456-b", values)).toBe(`a-${R}-b`);
    const basic = secretValues({ kind: "basic", username: "deploy-bot", password: "hunter2hunter2" });
    const echoed = JSON.stringify({ headers: { Authorization: `Basic ${Buffer.from("deploy-bot:hunter2hunter2").toString("base64")}` }, user: "deploy-bot" });
    expect(redactSecrets(echoed, basic)).toBe(JSON.stringify({ headers: { Authorization: R }, user: R }));
  });

  it("ignores secrets shorter than 4 characters", () => {
    expect(redactSecrets({ text: "abc abcd" }, ["abc", "", "🔑🔑🔑"])).toEqual({ text: "abc abcd" });
    expect(redactSecrets({ text: "abc abcd" }, ["abcd"])).toEqual({ text: `abc ${R}` });
  });

  it("does not touch near misses", () => {
    const text = `${SECRET.slice(0, -1)}X ${encodeURIComponent(SECRET).slice(0, -3)}`;
    expect(redactSecrets(text, [SECRET])).toBe(text);
  });

  it("replaces a number whose digits contain a secret, and uses the given replacement", () => {
    expect(redactSecrets({ pin: 98765432, other: 7 }, ["98765432"], "***")).toEqual({ pin: "***", other: 7 });
  });

  it("returns a deep copy and leaves its input unchanged", () => {
    const input = { a: [{ b: SECRET }] };
    const output = redactSecrets(input, [SECRET]);
    expect(input.a[0]?.b).toBe(SECRET);
    expect(output.a).not.toBe(input.a);
    const untouched = { a: [1, "two"] };
    expect(redactSecrets(untouched, [SECRET])).toEqual(untouched);
    expect(redactSecrets(untouched, [SECRET])).not.toBe(untouched);
  });

  it("keeps a __proto__ key as data", () => {
    const parsed = JSON.parse(`{"__proto__": {"polluted": "${SECRET.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"}}`) as object;
    const output = redactSecrets(parsed, [SECRET]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(output, "__proto__")?.value).toEqual({ polluted: R });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("handles values nested far deeper than the call stack allows", () => {
    let deep: unknown = SECRET;
    for (let depth = 0; depth < 200_000; depth += 1) deep = depth % 2 ? [deep] : { next: deep };
    let output = redactSecrets(deep, [SECRET]);
    for (let depth = 0; depth < 200_000; depth += 1) {
      output = Array.isArray(output) ? output[0] : (output as { next: unknown }).next;
    }
    expect(output).toBe(R);
  });

  it("refuses values that are not JSON rather than passing them through", () => {
    expect(() => redactSecrets({ when: new Date() }, [SECRET])).toThrow("expected a JSON value, found Date");
    expect(() => redactSecrets({ error: new Error(SECRET) }, [SECRET])).toThrow("found Error");
    expect(() => redactSecrets({ fn: () => SECRET }, [SECRET])).toThrow("found a function");
  });

  it("stays linear on large, hostile text (a long run of the secret's start, every escape character)", () => {
    // Matching character by character from every position would take ~10^9 steps here.
    const redactor = createRedactor(secretValues({ kind: "secret", value: `${"a".repeat(1_000)}${SECRET}` }));
    const body = `${"a".repeat(300_000)}${'\\"%2F&amp;+%25'.repeat(50_000)}`;
    const started = performance.now();
    expect(redactor.text(body)).toBe(body);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it("prepares once and redacts many values with createRedactor", () => {
    const redactor = createRedactor([SECRET], "•••");
    expect(redactor.text(`x ${SECRET}`)).toBe("x •••");
    expect(redactor.value([{ a: encodeURIComponent(SECRET) }])).toEqual([{ a: "•••" }]);
  });
});
