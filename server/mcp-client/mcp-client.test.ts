import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { outcomeOf } from "./call-tool";
import { describeMcpError, loadMcpSdk, splitCommandLine, stdioAllowlist, type McpTarget } from "./connect";
import { snapshotTools } from "./servers";

const http: McpTarget = { transport: "http", url: "https://mcp.example.com/mcp", headers: {}, allowPrivateHosts: [] };
const ref = { name: "x__t", serverId: "mcp_1", serverName: "x", tool: "t", description: "", inputSchema: { type: "object" }, destructive: false };

describe("snapshotTools", () => {
  it("keeps usable tools with their schema and destructive mark, refuses the rest with the reason", () => {
    const tools = snapshotTools([
      { name: "ok", description: "fine", inputSchema: { type: "object" }, annotations: { destructiveHint: true } },
      { name: "bad", inputSchema: { type: "array" } },
      { description: "no name" },
      "not even an object",
    ]);
    expect(tools).toEqual([
      { tool: "ok", description: "fine", inputSchema: { type: "object" }, annotations: { destructiveHint: true }, destructive: true, refused: null },
      { tool: "bad", description: "", inputSchema: null, annotations: null, destructive: false, refused: 'not a valid JSON Schema object: the input schema\'s type must be "object" (got "array")' },
      expect.objectContaining({ tool: "tool #3", refused: expect.stringMatching(/malformed/) }),
      expect.objectContaining({ tool: "tool #4", refused: expect.stringMatching(/malformed/) }),
    ]);
  });

  it("treats only destructiveHint === true as destructive", () => {
    const [tool] = snapshotTools([{ name: "t", inputSchema: { type: "object" }, annotations: { destructiveHint: "yes" } }]);
    expect(tool?.destructive).toBe(false);
  });
});

describe("outcomeOf", () => {
  it("joins text blocks, names other blocks, and reports isError as a tool error", () => {
    const ok = outcomeOf(ref, { content: [{ type: "text", text: "one" }, { type: "image", data: "…", mimeType: "image/png" }, { type: "text", text: "two" }] });
    expect(ok).toMatchObject({ ok: true, content: "one\n[image content (image/png) not shown]\ntwo" });
    expect(outcomeOf(ref, { isError: true, content: [{ type: "text", text: "boom" }] })).toEqual({ ok: false, error: "boom" });
    expect(outcomeOf(ref, { isError: true })).toEqual({ ok: false, error: "t reported an error without a message" });
    expect(outcomeOf(ref, { structuredContent: { n: 1 } })).toMatchObject({ ok: true, content: '{"n":1}' });
  });
});

describe("stdio commands", () => {
  it("are whole command lines from the operator's list, split without a shell", () => {
    expect(stdioAllowlist(" node  /opt/a.js ,, npx -y pkg ")).toEqual(["node /opt/a.js", "npx -y pkg"]);
    expect(stdioAllowlist(undefined)).toEqual([]);
    expect(splitCommandLine("node /opt/a.js --flag")).toEqual({ command: "node", args: ["/opt/a.js", "--flag"] });
  });
});

describe("describeMcpError", () => {
  beforeAll(async () => {
    await loadMcpSdk();
  });
  it("says what went wrong in plain words", () => {
    expect(describeMcpError(new StreamableHTTPError(401, "Unauthorized"), http, "", 10_000)).toBe("mcp.example.com refused the credentials (HTTP 401); check the auth header value");
    expect(describeMcpError(new StreamableHTTPError(404, "Not Found"), http, "", 10_000)).toMatch(/is not an MCP server \(HTTP 404/);
    expect(describeMcpError(new McpError(ErrorCode.RequestTimeout, "Request timed out"), http, "", 2_500)).toBe("mcp.example.com did not answer within 2.5 s (timeout)");
    expect(describeMcpError(Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }), http, "", 10_000)).toBe("mcp.example.com is unreachable (ECONNREFUSED)");
    const stdio: McpTarget = { transport: "stdio", commandLine: "node x.js" };
    expect(describeMcpError(new McpError(ErrorCode.ConnectionClosed, "closed"), stdio, "Error: boom\n", 10_000)).toBe('the command "node x.js" closed the connection; it said: Error: boom');
  });
});
