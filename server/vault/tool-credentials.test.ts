import { describe, expect, it } from "vitest";
import type { Effect } from "../engine/decide";
import { createNode, type GraphNode } from "../engine/graph";
import { renderToolArguments } from "../engine/template";
import type { CredentialSecret } from "./credential-kinds";
import type { ResolvedCredential } from "./credential-store";
import { allowedCredentialNames, applyCredentials, planCredentials } from "./tool-credentials";

type ToolCall = Extract<Effect, { kind: "call_tool" }>;

const GITHUB = "ghp_LEAKCHECK_0123456789abcdef";
const STRIPE = "sk_live_LEAKCHECK_abcdef012345";

const store = new Map<string, ResolvedCredential>(
  (
    [
      ["github", { kind: "bearer", token: GITHUB }, ["api.github.com"]],
      ["stripe", { kind: "secret", value: STRIPE }, []],
      ["partner", { kind: "header", name: "X-Api-Key", value: "partner-key-0123456789" }, []],
      ["login", { kind: "basic", username: "deploy", password: "hunter2-hunter2" }, []],
    ] as Array<[string, CredentialSecret, string[]]>
  ).map(([name, secret, allowedHosts]) => [name, { name, secret, allowedHosts }]),
);

function agentNode(credentials: string[]): GraphNode {
  const node = createNode("agent", "a", { x: 0, y: 0 });
  return { ...node, data: { ...node.data, credentials, allowedTools: ["http_request"] } } as GraphNode;
}

function toolNode(args: string): GraphNode {
  const node = createNode("tool", "t", { x: 0, y: 0 });
  return { ...node, data: { ...node.data, tool: "http_request", arguments: args } } as GraphNode;
}

const modelCall = (args: Record<string, unknown>, name = "http_request"): ToolCall => ({
  kind: "call_tool",
  nodeId: "a",
  toolCallId: "c1",
  name,
  args: { method: "GET", ...args },
  idempotencyKey: "1:c1",
});

/** What decide makes of a tool node's arguments given `input` as run data. */
function nodeCall(node: GraphNode, input: unknown): ToolCall {
  if (node.type !== "tool") throw new Error("a tool node");
  const { args, credentialSlots } = renderToolArguments(JSON.parse(node.data.arguments), { input, previous: input, nodes: {} });
  return { kind: "call_tool", nodeId: node.id, toolCallId: null, name: node.data.tool, args: { method: "GET", ...(args as object) }, idempotencyKey: "1:node", credentialSlots };
}

function prepare(call: ToolCall, node: GraphNode) {
  const plan = planCredentials(call, node);
  if (!plan.ok) return plan;
  return applyCredentials(call, plan, store);
}

describe("which credentials a call may use", () => {
  it("a tool node: the names written in its own arguments, and a literal credential argument", () => {
    expect([...allowedCredentialNames(toolNode('{"url":"https://x.dev","headers":{"A":"Bearer {{credentials.github}}"},"credential":"partner"}'))]).toEqual(["github", "partner"]);
    // A templated credential argument is filled by run data: it grants nothing.
    expect([...allowedCredentialNames(toolNode('{"url":"https://x.dev","credential":"{{input.which}}"}'))]).toEqual([]);
  });

  it("an agent: exactly its list", () => {
    expect([...allowedCredentialNames(agentNode(["github"]))]).toEqual(["github"]);
    expect([...allowedCredentialNames(undefined)]).toEqual([]);
  });

  it("refuses a name outside an agent's list, wherever the model wrote it", () => {
    const node = agentNode(["github"]);
    for (const args of [{ url: "https://x.dev", credential: "stripe" }, { url: "https://x.dev?k={{credentials.stripe}}" }, { url: "https://x.dev", headers: { A: "{{credentials.stripe}}" } }, { url: "https://x.dev", body: "{{ credentials.stripe }}" }]) {
      expect(planCredentials(modelCall(args), node)).toEqual({ ok: false, error: 'credential "stripe" is not allowed for this agent; the builder can add it to the agent\'s credentials' });
    }
    expect(planCredentials(modelCall({ url: "https://x.dev", credential: "github" }), node)).toEqual({ ok: true, names: ["github"], picked: "github" });
  });

  it("a tool node's run data cannot pick a credential the builder did not write", () => {
    const node = toolNode('{"url":"https://x.dev","credential":"{{input.which}}"}');
    expect(planCredentials(nodeCall(node, { which: "stripe" }), node)).toMatchObject({ ok: false, error: expect.stringContaining('credential "stripe" is not allowed here') });
  });

  it("reports a malformed reference in a model's arguments as the call's error", () => {
    const result = planCredentials(modelCall({ url: "https://x.dev", headers: { A: "{{credentials.a.b}}" } }), agentNode(["a"]));
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("invalid credential reference") });
  });

  it("does not resolve credentials for tools other than http_request", () => {
    const node = toolNode('{"code":"\\"{{credentials.github}}\\""}');
    const runCode = { ...nodeCall({ ...node, data: { ...node.data, tool: "run_code" } } as GraphNode, {}), name: "run_code" };
    expect(planCredentials(runCode, node)).toEqual({ ok: false, error: "credentials are only resolved in http_request arguments, not in run_code's" });
    // In a model's run_code call a reference is only text.
    expect(planCredentials(modelCall({ code: "'{{credentials.github}}'" }, "run_code"), agentNode(["github"]))).toEqual({ ok: true, names: [] });
  });
});

describe("values in the call", () => {
  it("puts a value only where the builder wrote the reference, never into spliced run data", () => {
    const node = toolNode('{"url":"https://api.github.com/search?q={{input.q}}","headers":{"Authorization":"Bearer {{credentials.github}}"},"body":"q: {{input.q}}"}');
    const prepared = prepare(nodeCall(node, { q: "{{credentials.github}}" }), node);
    expect(prepared).toMatchObject({
      ok: true,
      args: {
        url: "https://api.github.com/search?q={{credentials.github}}",
        headers: { Authorization: `Bearer ${GITHUB}` },
        body: "q: {{credentials.github}}",
      },
      carried: { names: ["github"], allowedHosts: [{ name: "github", hosts: ["api.github.com"] }] },
    });
    expect(prepared.ok && prepared.secrets).toEqual([GITHUB, `Bearer ${GITHUB}`]);
  });

  it("substitutes every allowed reference in a model's or reviewer's arguments, and the picked credential's header", () => {
    const prepared = prepare(
      modelCall({ url: "https://x.dev/?key={{credentials.stripe}}", headers: { "X-Sig": "{{credentials.stripe}}" }, body: "k={{credentials.stripe}}", credential: "partner" }),
      agentNode(["stripe", "partner"]),
    );
    expect(prepared).toMatchObject({
      ok: true,
      args: { url: `https://x.dev/?key=${STRIPE}`, headers: { "X-Sig": STRIPE }, body: `k=${STRIPE}`, credential: "partner" },
      carried: { names: ["stripe", "partner"], picked: { name: "partner", headers: { "x-api-key": "partner-key-0123456789" } } },
    });
  });

  it("refuses a basic credential as text and a plain secret as a picked header, naming only the credential", () => {
    const basic = prepare(modelCall({ url: "https://x.dev", headers: { A: "{{credentials.login}}" } }), agentNode(["login"]));
    expect(basic).toMatchObject({ ok: false, error: expect.stringContaining('credential "login" is a username and password') });
    const secret = prepare(modelCall({ url: "https://x.dev", credential: "stripe" }), agentNode(["stripe"]));
    expect(secret).toMatchObject({ ok: false, error: expect.stringContaining('credential "stripe" is a plain secret') });
    expect(JSON.stringify([basic, secret])).not.toMatch(/hunter2|LEAKCHECK/);
  });

  it("names a credential that does not exist", () => {
    expect(prepare(modelCall({ url: "https://x.dev", credential: "gone" }), agentNode(["gone"]))).toEqual({ ok: false, error: 'credential "gone" does not exist in this workspace' });
  });

  it("uses no credential when the arguments are not the ones the slots were made for", () => {
    const node = toolNode('{"url":"https://x.dev","headers":{"A":"Bearer {{credentials.github}}"}}');
    const call = nodeCall(node, {});
    const tampered = { ...call, args: { ...(call.args as object), headers: { A: "other {{credentials.github}}" } } };
    expect(prepare(tampered, node)).toMatchObject({ ok: false, error: expect.stringContaining("no credential was used") });
  });
});
