import { z } from "zod";
import { CREDENTIAL_NAME_PATTERN } from "./template";

/**
 * The workflow graph: one zod schema shared by the editor, the API, the validator and the
 * engine. It is React Flow–compatible (`nodes[{id,type,position,data}]`,
 * `edges[{id,source,sourceHandle,target,targetHandle}]`) so the canvas can load it as is.
 *
 * This module is pure (no I/O) and safe to import from client components.
 */

export const GRAPH_SCHEMA_VERSION = 1;

const position = z.object({ x: z.number(), y: z.number() });
const label = z.string().max(120);

/** One field of a run's input, as the Run form asks for it (and the server checks it). */
export const inputFieldSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, { error: "a field name starts with a letter or _ and has at most 64 letters, digits or _" }),
  /** text = multi-line string; json = any JSON value. */
  type: z.enum(["string", "text", "number", "boolean", "json"]).default("string"),
  required: z.boolean().default(false),
  /** The default as the form shows it (JSON text for json, "true"/"false" for boolean). */
  default: z.string().max(20_000).default(""),
  description: z.string().max(500).default(""),
});

export type InputField = z.infer<typeof inputFieldSchema>;

export const triggerDataSchema = z.object({
  label: label.default("Trigger"),
  /** What a run takes as input. Empty: any JSON (the Run form shows a JSON editor only). */
  inputFields: z.array(inputFieldSchema).max(50).default([]),
  /** Example input shown in the run dialog and used when a run is started without input. */
  sampleInput: z.string().max(20_000).default('{\n  "topic": "release notes for v1.2"\n}'),
  /** Per-run budget; when reached the run asks a person before spending more. 0 = none. */
  budgetTokens: z.number().int().min(0).default(0),
  budgetUsd: z.number().min(0).default(0),
});

/** The name a model may call a tool by (OpenAI and Anthropic both accept this shape). */
export const MODEL_TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** One MCP server tool as an agent holds it (see agentDataSchema.mcpTools). */
export const mcpToolRefSchema = z.object({
  name: z.string().regex(MODEL_TOOL_NAME_PATTERN, { error: "an MCP tool's name has 1 to 64 letters, digits, _ or -" }),
  /** The McpServer row's id; the worker looks it up in the run's workspace at call time. */
  serverId: z.string().min(1).max(100),
  serverName: z.string().max(100),
  /** The tool's own name on its server. */
  tool: z.string().min(1).max(200),
  description: z.string().max(5_000).default(""),
  inputSchema: z.record(z.string(), z.unknown()),
  /** The server marks it destructive (annotations.destructiveHint): a person approves each call by default. */
  destructive: z.boolean().default(false),
});

export const agentDataSchema = z.object({
  label: label.default("Agent"),
  /** Provider id from the server's provider list; "default" = first configured provider. */
  provider: z.string().max(60).default("default"),
  model: z.string().max(200).default(""),
  /**
   * Tried in order when the provider above cannot answer: a transient failure (5xx, 429,
   * network, timeout) after its own retries, or no answer within `fallbackAfterSeconds`
   * (a RunPod worker still cold). A refused key or unknown model fails at once instead —
   * another provider would only hide the misconfiguration.
   */
  fallbacks: z.array(z.object({ provider: z.string().max(60), model: z.string().max(200).default("") })).max(3).default([]),
  /** Seconds to wait for a provider that has fallbacks before trying the next; 0 = its own timeout. */
  fallbackAfterSeconds: z.number().int().min(0).max(600).default(0),
  systemPrompt: z.string().max(50_000).default("You are a helpful assistant. Answer clearly and concisely."),
  /** Rendered with {{input.x}}, {{previous}}, {{nodes.<id>.output}} before the first model call. */
  task: z.string().max(50_000).default("{{previous}}"),
  allowedTools: z.array(z.string().max(80)).max(50).default([]),
  /** Tools from the allowlist whose calls run without a person's approval even if risky. */
  autoApproveTools: z.array(z.string().max(80)).max(50).default([]),
  /**
   * Workspace credentials (by name) this agent's tool calls may use: the model can pass one as
   * http_request's `credential` or write `{{credentials.<name>}}` in its arguments. Closed by
   * default — any other name is refused, however it reached the call.
   */
  credentials: z
    .array(z.string().regex(CREDENTIAL_NAME_PATTERN, { error: "a credential name starts with a letter and has at most 64 letters, digits, _ or -" }))
    .max(20)
    .default([]),
  /**
   * Tools of the workspace's MCP servers picked for this agent, copied when picked: the engine
   * sends `inputSchema` to the model and decides approvals from `destructive` without I/O, and
   * a pinned version keeps behaving the same. `name` is what the model calls (unique here).
   */
  mcpTools: z.array(mcpToolRefSchema).max(50).default([]),
  maxSteps: z.number().int().min(1).max(100).default(8),
  temperature: z.number().min(0).max(2).default(0.2),
  contextBudgetTokens: z.number().int().min(256).max(2_000_000).default(16_000),
});

export const toolDataSchema = z.object({
  label: label.default("Tool"),
  tool: z.string().max(80).default(""),
  /** JSON object whose string values may contain templates. */
  arguments: z.string().max(50_000).default("{}"),
  /** "default" follows the tool's own risk rule. */
  approval: z.enum(["default", "always", "never"]).default("default"),
});

export const humanDataSchema = z.object({
  label: label.default("Human approval"),
  /** A template ({{previous}}, {{input.x}}, {{nodes.<id>.output}}) rendered when the task is created. */
  message: z.string().max(5_000).default("Please review the previous step."),
  /** Whether the reviewer may correct the content before approving (the edit flows on). */
  allowEdit: z.boolean().default(true),
  /** Seconds the task may wait; 0 = no timeout. */
  timeoutSeconds: z.number().int().min(0).max(30 * 24 * 3600).default(0),
  /** What a timeout does: approve, reject, or leave through the node's "timeout" handle. */
  onTimeout: z.enum(["approve", "reject", "timeout"]).default("reject"),
  /** Seconds after which a still-waiting task is escalated (notified again) to `escalateTo`; 0 = never. */
  escalateAfterSeconds: z.number().int().min(0).max(30 * 24 * 3600).default(0),
  escalateTo: z.enum(["operator", "editor", "admin", "owner"]).default("admin"),
});

export const conditionDataSchema = z.object({
  label: label.default("Condition"),
  expression: z.string().max(2_000).default(""),
});

export const parallelDataSchema = z.object({ label: label.default("Parallel") });
export const joinDataSchema = z.object({ label: label.default("Join") });

export const loopDataSchema = z.object({
  label: label.default("Loop"),
  maxIterations: z.number().int().min(1).max(100).default(3),
  /** Loop continues while this expression is true (and iterations remain). */
  whileExpression: z.string().max(2_000).default(""),
});

export const outputDataSchema = z.object({
  label: label.default("Output"),
  /** Empty: the output of the node before this one. */
  template: z.string().max(50_000).default(""),
});

/** A router's branch: the name is its output handle and what the model answers with. */
export const ROUTER_BRANCH_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export const routerBranchSchema = z.object({
  name: z.string().regex(ROUTER_BRANCH_NAME_PATTERN, { error: "a branch name has 1 to 40 lower-case letters, digits, _ or -, starting with a letter or digit" }),
  /** What belongs on this branch, in the builder's words: the model classifies by it. */
  description: z.string().max(500).default(""),
});

/**
 * The seeds' "intelligent routing": a model reads the input and picks one named branch, by a
 * structured call validated against the branch names; anything else (an error, an answer that
 * is no branch) takes the default branch, and the log says why.
 */
export const routerDataSchema = z.object({
  label: label.default("Router"),
  provider: z.string().max(60).default("default"),
  model: z.string().max(200).default(""),
  /** What the model is told about the choice, before the branches are listed. */
  instructions: z.string().max(10_000).default("Read the message and choose the branch that should handle it."),
  /** What is classified; rendered like an agent's task. */
  input: z.string().max(50_000).default("{{previous}}"),
  branches: z
    .array(routerBranchSchema)
    .max(20)
    .default([
      { name: "support", description: "A problem with the product, an error, something that does not work" },
      { name: "sales", description: "Questions about plans, prices, invoices or buying" },
      { name: "other", description: "Anything else" },
    ]),
  /** Taken when the model fails or answers with no branch. */
  defaultBranch: z.string().max(40).default("other"),
});

/**
 * For-each (map): runs its body — the nodes its "item" output leads to, up to the edges back
 * into it — once per item of a list, each item as a run of its own (a child run, so a list of
 * a thousand items never makes one giant run state), at most `concurrency` at a time. Its
 * "done" output carries the body's results in the list's order: a reduce is the node after it.
 */
export const forEachDataSchema = z.object({
  label: label.default("For each"),
  /** An expression giving the list, e.g. `input.tickets` or `nodes.splitter.output.items`. */
  items: z.string().max(2_000).default("input.items"),
  concurrency: z.number().int().min(1).max(50).default(4),
  /**
   * When an item's run fails: `fail` the node (and with it the run), `skip` the item (its
   * result is left out), or `collect` the error as its result (`{ error }`).
   */
  onError: z.enum(["fail", "skip", "collect"]).default("fail"),
});

/**
 * Sub-workflow: runs another workflow of the same workspace — its latest published version,
 * pinned when the child run starts — with mapped input, and waits for it without holding a
 * worker. Its output is the child run's output.
 */
export const subworkflowDataSchema = z.object({
  label: label.default("Sub-workflow"),
  /** The workflow to run; empty until one is chosen. */
  workflowId: z.string().max(100).default(""),
  /** The child's input: JSON whose string values may hold templates; empty = the previous output as is. */
  input: z.string().max(50_000).default(""),
});

const nodeBase = { id: z.string().min(1).max(100), position };

export const graphNodeSchema = z.discriminatedUnion("type", [
  z.object({ ...nodeBase, type: z.literal("trigger"), data: triggerDataSchema }),
  z.object({ ...nodeBase, type: z.literal("agent"), data: agentDataSchema }),
  z.object({ ...nodeBase, type: z.literal("tool"), data: toolDataSchema }),
  z.object({ ...nodeBase, type: z.literal("human"), data: humanDataSchema }),
  z.object({ ...nodeBase, type: z.literal("condition"), data: conditionDataSchema }),
  z.object({ ...nodeBase, type: z.literal("parallel"), data: parallelDataSchema }),
  z.object({ ...nodeBase, type: z.literal("join"), data: joinDataSchema }),
  z.object({ ...nodeBase, type: z.literal("loop"), data: loopDataSchema }),
  z.object({ ...nodeBase, type: z.literal("output"), data: outputDataSchema }),
  z.object({ ...nodeBase, type: z.literal("router"), data: routerDataSchema }),
  z.object({ ...nodeBase, type: z.literal("for_each"), data: forEachDataSchema }),
  z.object({ ...nodeBase, type: z.literal("subworkflow"), data: subworkflowDataSchema }),
]);

export const graphEdgeSchema = z.object({
  id: z.string().min(1).max(200),
  source: z.string().min(1).max(100),
  sourceHandle: z.string().max(60).nullish(),
  target: z.string().min(1).max(100),
  targetHandle: z.string().max(60).nullish(),
});

export const graphSchema = z.object({
  schemaVersion: z.literal(GRAPH_SCHEMA_VERSION).default(GRAPH_SCHEMA_VERSION),
  nodes: z.array(graphNodeSchema).max(5_000),
  edges: z.array(graphEdgeSchema).max(10_000),
});

export type Graph = z.infer<typeof graphSchema>;
export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type NodeKind = GraphNode["type"];
export type NodeDataOf<K extends NodeKind> = Extract<GraphNode, { type: K }>["data"];

export const NODE_KINDS = [
  "trigger",
  "agent",
  "tool",
  "human",
  "condition",
  "parallel",
  "join",
  "loop",
  "output",
  "router",
  "for_each",
  "subworkflow",
] as const satisfies readonly NodeKind[];

/**
 * Named source handles per node kind; `null` means the node's single default output. A
 * router's handles are its branches' names: use `sourceHandlesOf` for a node.
 */
export const SOURCE_HANDLES: Record<NodeKind, readonly (string | null)[]> = {
  trigger: [null],
  agent: [null],
  tool: [null],
  human: ["approve", "reject", "timeout"],
  condition: ["true", "false"],
  parallel: [null],
  join: [null],
  loop: ["body", "done"],
  output: [],
  router: [],
  for_each: ["item", "done"],
  subworkflow: [null],
};

/**
 * Saga compensation: a step with side effects (a booking, a payment) may lead from its
 * "compensate" handle to the step that undoes it. When the run fails after that step
 * succeeded, the compensations of the steps that succeeded run, latest first, each once.
 */
export const COMPENSATE_HANDLE = "compensate";

/** The kinds whose work can be undone by a compensation (those with side effects). */
export const COMPENSABLE_KINDS: readonly NodeKind[] = ["agent", "tool", "subworkflow"];

/** What can undo a step: a tool call, an agent, another workflow, or a person. */
export const COMPENSATION_KINDS: readonly NodeKind[] = ["tool", "agent", "subworkflow", "human"];

/** The outputs a node has: its kind's, or a router's branches; plus "compensate" where a step can be undone. */
export function sourceHandlesOf(node: GraphNode): readonly (string | null)[] {
  const own = node.type === "router" ? node.data.branches.map((branch) => branch.name) : SOURCE_HANDLES[node.type];
  return COMPENSABLE_KINDS.includes(node.type) ? [...own, COMPENSATE_HANDLE] : own;
}

const dataSchemas = {
  trigger: triggerDataSchema,
  agent: agentDataSchema,
  tool: toolDataSchema,
  human: humanDataSchema,
  condition: conditionDataSchema,
  parallel: parallelDataSchema,
  join: joinDataSchema,
  loop: loopDataSchema,
  output: outputDataSchema,
  router: routerDataSchema,
  for_each: forEachDataSchema,
  subworkflow: subworkflowDataSchema,
} as const;

/** A new node of the given kind with every setting at its default. */
export function createNode<K extends NodeKind>(
  kind: K,
  id: string,
  position: { x: number; y: number },
): GraphNode {
  const data = dataSchemas[kind].parse({});
  return graphNodeSchema.parse({ id, type: kind, position, data });
}

export function nodeDataSchemaOf(kind: NodeKind) {
  return dataSchemas[kind];
}

/** The graph a new workflow starts with: a trigger, one agent, an output. */
export function starterGraph(): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: [
      createNode("trigger", "trigger", { x: 0, y: 120 }),
      createNode("agent", "agent_1", { x: 280, y: 120 }),
      createNode("output", "output", { x: 560, y: 120 }),
    ],
    edges: [
      { id: "e-trigger-agent_1", source: "trigger", target: "agent_1", sourceHandle: null, targetHandle: null },
      { id: "e-agent_1-output", source: "agent_1", target: "output", sourceHandle: null, targetHandle: null },
    ],
  };
}
