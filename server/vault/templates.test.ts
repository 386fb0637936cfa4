import { describe, expect, it } from "vitest";
import { UserInputError } from "../errors";
import {
  findCredentialRefs,
  findCredentialRefsInValue,
  InvalidCredentialReferenceError,
  substituteCredentialRefs,
  substituteCredentialRefsInValue,
  UnknownCredentialError,
} from "./templates";

const store: Record<string, string> = { github: "ghp_secret", "open-ai_2": "sk-xyz", weird: "$& $1 $$ {{credentials.github}}" };
const resolve = (name: string) => store[name];

describe("findCredentialRefs", () => {
  it("lists each referenced name once, in order, tolerating whitespace inside the braces", () => {
    const text = "Bearer {{credentials.github}} / {{ credentials.open-ai_2 }} / {{\tcredentials.github\n}}";
    expect(findCredentialRefs(text)).toEqual(["github", "open-ai_2"]);
    expect(findCredentialRefs("no references, {{input.topic}}, {{credentials}} or {credentials.github}")).toEqual([]);
  });

  it("reports a malformed reference instead of ignoring it", () => {
    for (const text of ["{{credentials.}}", "{{credentials.github.token}}", "{{credentials.1password}}", "{{credentials.a b}}", `{{credentials.${"a".repeat(65)}}}`]) {
      expect(() => findCredentialRefs(text), text).toThrow(InvalidCredentialReferenceError);
    }
    expect(() => findCredentialRefs("{{credentials.github.token}}")).toThrow('invalid credential reference "{{credentials.github.token}}"');
    expect(findCredentialRefs(`{{credentials.${"a".repeat(64)}}}`)).toEqual(["a".repeat(64)]);
  });
});

describe("substituteCredentialRefs", () => {
  it("replaces each reference with the resolved value", () => {
    expect(substituteCredentialRefs("Bearer {{ credentials.github }}; key={{credentials.open-ai_2}}", resolve)).toBe("Bearer ghp_secret; key=sk-xyz");
    expect(substituteCredentialRefs("nothing here {{input.x}}", resolve)).toBe("nothing here {{input.x}}");
  });

  it("inserts values as they are, in one pass: no $ patterns, no references inside values expanded", () => {
    expect(substituteCredentialRefs("[{{credentials.weird}}]", resolve)).toBe("[$& $1 $$ {{credentials.github}}]");
  });

  it("names an unknown credential, as a user error", () => {
    expect(() => substituteCredentialRefs("{{credentials.gitlab}}", resolve)).toThrow('credential "gitlab" does not exist in this workspace');
    const error = (() => {
      try {
        substituteCredentialRefs("{{credentials.gitlab}}", resolve);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UnknownCredentialError);
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UnknownCredentialError).credentialName).toBe("gitlab");
  });
});

describe("substituteCredentialRefsInValue", () => {
  it("substitutes in every string value of nested tool arguments, leaving keys and other values alone", () => {
    const args = {
      url: "https://api.github.com/user",
      headers: { Authorization: "Bearer {{credentials.github}}", "{{credentials.github}}": "key stays" },
      body: ["{{credentials.open-ai_2}}", 3, true, null, { deep: "x{{credentials.github}}x" }],
    };
    expect(substituteCredentialRefsInValue(args, resolve)).toEqual({
      url: "https://api.github.com/user",
      headers: { Authorization: "Bearer ghp_secret", "{{credentials.github}}": "key stays" },
      body: ["sk-xyz", 3, true, null, { deep: "xghp_secretx" }],
    });
    expect(args.headers.Authorization).toBe("Bearer {{credentials.github}}");
  });

  it("resolves each credential once however often it is used", () => {
    const calls: string[] = [];
    const counting = (name: string) => {
      calls.push(name);
      return store[name];
    };
    substituteCredentialRefsInValue({ a: "{{credentials.github}}", b: ["{{credentials.github}}", "{{credentials.open-ai_2}}"] }, counting);
    expect(calls.sort()).toEqual(["github", "open-ai_2"]);
  });

  it("walks deep values without recursion", () => {
    let deep: unknown = "{{credentials.github}}";
    for (let depth = 0; depth < 100_000; depth += 1) deep = [deep];
    let out = substituteCredentialRefsInValue(deep, resolve);
    while (Array.isArray(out)) out = out[0];
    expect(out).toBe("ghp_secret");
  });

  it("fails on an unknown credential anywhere in the value", () => {
    expect(() => substituteCredentialRefsInValue({ a: ["ok", "{{credentials.nope}}"] }, resolve)).toThrow('credential "nope" does not exist in this workspace');
  });
});

describe("findCredentialRefsInValue", () => {
  it("lists the names used in string values, for checking them when a workflow is saved", () => {
    expect(findCredentialRefsInValue({ a: "{{credentials.github}}", b: [{ c: "{{ credentials.open-ai_2 }} {{credentials.github}}" }], d: 1 })).toEqual([
      "github",
      "open-ai_2",
    ]);
  });
});
