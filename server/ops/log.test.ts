import { afterEach, describe, expect, it } from "vitest";
import { componentLog, log, setLogDestination, withoutSecretFields } from "./log";

const R = "[redacted]";

describe("withoutSecretFields", () => {
  it("blanks secret fields by name, at any case, in the first levels of a line", () => {
    const line = {
      Authorization: "Bearer abc",
      request: { headers: { cookie: "session=abc", "X-Api-Key": "k", accept: "json" }, url: "/x" },
      config: { nested: { password: "p", keep: 1 } },
      status: "ok",
    };
    expect(withoutSecretFields(line)).toEqual({
      Authorization: R,
      request: { headers: { cookie: R, "X-Api-Key": R, accept: "json" }, url: "/x" },
      config: { nested: { password: R, keep: 1 } },
      status: "ok",
    });
    // The caller's object is left as it was.
    expect(line.request.headers.cookie).toBe("session=abc");
  });

  it("returns the same object when there is nothing to blank (no copy on the hot path)", () => {
    const line = { status: "succeeded", committedEvents: 9, nested: { durationMs: 3 } };
    expect(withoutSecretFields(line)).toBe(line);
  });

  it("walks a nested error's own fields, and leaves arrays, dates and deeper levels alone", () => {
    const failure = Object.assign(new Error("401"), { headers: { authorization: "Bearer abc" } });
    const at = new Date(0);
    const out = withoutSecretFields({ cause: failure, list: [{ token: "t" }], at, a: { b: { c: { d: { token: "deep" } } } } });
    expect(out.cause).toEqual({ headers: { authorization: R } });
    expect(out.list).toEqual([{ token: "t" }]);
    expect(out.at).toBe(at);
    expect(out.a).toEqual({ b: { c: { d: { token: "deep" } } } });
  });
});

describe("the logger", () => {
  afterEach(() => setLogDestination(null));

  function capture(): string[] {
    const lines: string[] = [];
    setLogDestination({ write: (line: string) => void lines.push(line) });
    return lines;
  }

  it("blanks secret fields in a line, a child's line and an error's fields, and keeps the rest", () => {
    const lines = capture();
    componentLog("test").warn({ request: { headers: { authorization: "Bearer abc", host: "x" } }, status: 401 }, "refused");
    const failure = Object.assign(new Error("provider said no"), { status: 401, headers: { "x-api-key": "k-123" } });
    log.error({ err: failure }, "call failed");
    const [refused, failed] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refused).toMatchObject({ component: "test", status: 401, request: { headers: { authorization: R, host: "x" } }, msg: "refused" });
    expect(failed).toMatchObject({ err: { message: "provider said no", type: "Error", status: 401, headers: { "x-api-key": R } }, msg: "call failed" });
    expect(typeof (failed?.err as { stack?: unknown }).stack).toBe("string");
    expect(lines.join("")).not.toContain("k-123");
    expect(lines.join("")).not.toContain("Bearer abc");
  });
});
