import type { ChatMessage, RunEvent, TerminalRunStatus } from "./events";
import { COMPENSATE_HANDLE, type Graph, type GraphEdge, type GraphNode, type NodeDataOf } from "./graph";
import { nodeNamer } from "./node-name";
import { isTerminalStatus } from "./events";
import type { HumanRequestKind, PendingHuman, RunState } from "./state";
import { renderTemplate, renderToolArguments, type CredentialSlot, type TemplateScope } from "./template";
import { COMPLETE_TASK, needsApproval, parseToolArgs, type ToolSpec } from "./agent-tools";
import { continueAgent, type Budget } from "./agent";
import { evaluateExpression } from "./expression";
import { loopShape, type LoopShape } from "./loops";
import { appendTo, outgoingEdges } from "./graph-index";
import { toJsonText } from "./json-text";
import { continueRouter, routerThread } from "./router";
import { continueForEach, continueSubworkflow, startForEach, type StartChildEffect } from "./children";
import { nodesReadBy } from "./references";

/**
 * `decide(graph, state)` returns what should happen next. It is pure: effects that need
 * no I/O are returned as ready-made events (`emit`); the rest (model calls, human tasks)
 * are performed by the worker, which turns their results into events.
 */

export type LlmRequest = {
  provider: string;
  model: string;
  temperature: number;
  messages: ChatMessage[];
  tools: ToolSpec[];
  /** Providers to try, in order, when `provider` cannot answer (see the agent's `fallbacks`). */
  fallbacks?: { provider: string; model: string }[];
  /** Give up on a provider that has a fallback after this long without an answer; 0/absent = its own timeout. */
  fallbackAfterMs?: number;
};

export type Effect =
  | { kind: "emit"; event: RunEvent }
  | { kind: "call_llm"; nodeId: string; request: LlmRequest }
  | {
      kind: "call_tool";
      nodeId: string;
      /** null for a tool node's own call. */
      toolCallId: string | null;
      name: string;
      args: unknown;
      /** Unique per call within the run; the worker prefixes the run id. */
      idempotencyKey: string;
      /**
       * Set when `args` are a tool node's own arguments as its builder wrote them (rendered,
       * not edited by a reviewer): the only places where the worker may put credential values.
       * Unset, the arguments are data (a model's call, a reviewer's edit), and any credential
       * reference in them is checked against the node's allowlist.
       */
      credentialSlots?: CredentialSlot[];
    }
  | { kind: "request_human"; nodeId: string; humanKind: HumanRequestKind; message: string; context: unknown; toolCallId?: string }
  | StartChildEffect;

export function decide(graph: Graph, state: RunState): Effect[] {
  if (isTerminalStatus(state.status) || state.status === "queued" || state.status === "paused") return [];

  const effects: Effect[] = [];
  const topology = topologyOf(graph);
  if (state.compensation) return compensate(graph, state, topology, state.compensation);
  const { incoming, loops } = topology;
  let busy = false;

  for (const node of graph.nodes) {
    // A for-each's body runs in its items' own runs, never here; a compensation only when the run fails.
    if (topology.itemBodies.has(node.id) || topology.compensating.has(node.id)) continue;
    const nodeState = state.nodes[node.id];
    const status = nodeState?.status ?? "pending";
    if (status === "pending") {
      const readiness = readinessOf(node, incoming.get(node.id) ?? [], state);
      if (readiness === "blocked") continue;
      if (readiness === "skip") {
        effects.push(emit({ type: "node_skipped", nodeId: node.id }));
        continue;
      }
      busy = true;
      effects.push(...startNode(graph, node, state, incoming.get(node.id) ?? []));
    } else if (status === "running") {
      busy = true;
      effects.push(...continueNode(graph, node, state, incoming.get(node.id) ?? [], topology));
    } else if (status === "waiting") {
      busy = true;
    } else if (status === "succeeded" && node.type === "loop" && nodeState?.handle === "body") {
      busy = true;
      effects.push(...continueLoop(node, state, loops.get(node.id) ?? { body: new Set(), backEdges: [] }));
    }
  }

  if (effects.length === 0 && !busy) {
    const finished = finishRun(graph, state);
    const undo = finished.status === "failed" ? compensationsToRun(state, topology) : [];
    if (undo.length > 0) return [emit({ type: "compensation_started", reason: finished.error ?? "failed", nodeIds: undo })];
    return [emit(finished)];
  }
  return effects;
}

/** The compensation steps of the steps that succeeded, the latest completed first. */
function compensationsToRun(state: RunState, topology: Topology): string[] {
  const completed = [...topology.compensationOf.keys()].filter((id) => state.nodes[id]?.status === "succeeded");
  completed.sort((a, b) => (state.nodes[b]?.finishedSeq ?? 0) - (state.nodes[a]?.finishedSeq ?? 0));
  return completed.flatMap((id) => topology.compensationOf.get(id) ?? []);
}

/**
 * A failed run undoing what it did (saga): one compensation step at a time, in order, each
 * seeing the output of the step it undoes as `{{previous}}`. It ends `compensated` when all
 * succeeded, or `compensation_failed` at the first that fails, naming what is left undone.
 */
function compensate(graph: Graph, state: RunState, topology: Topology, { reason, nodeIds }: NonNullable<RunState["compensation"]>): Effect[] {
  const nameOf = nodeNamer(graph);
  for (const [position, id] of nodeIds.entries()) {
    const node = nodeOf(graph, id);
    const undone = topology.compensating.get(id);
    const status = state.nodes[id]?.status ?? "pending";
    if (status === "succeeded") continue;
    if (!node || !undone || status === "failed" || status === "skipped") {
      const left = nodeIds.slice(position + 1).flatMap((later) => topology.compensating.get(later) ?? []);
      const named = (nodeId: string) => {
        const found = nodeOf(graph, nodeId);
        return found ? nameOf(found) : nodeId;
      };
      const error = `${reason}; the compensation ${named(id)} failed: ${state.nodes[id]?.error ?? "it could not run"}${left.length > 0 ? `; not compensated: ${left.map(named).join(", ")}` : ""}`;
      return [emit({ type: "run_finished", status: "compensation_failed", error })];
    }
    // The compensate edge, taken as if the undone step had left through it: its output is `previous`.
    const edges = (topology.incoming.get(id) ?? []).map((edge) => ({ ...edge, sourceHandle: state.nodes[undone]?.handle ?? null }));
    if (status === "pending") return startNode(graph, node, state, edges);
    if (status === "running") return continueNode(graph, node, state, edges, topology);
    return [];
  }
  return [emit({ type: "run_finished", status: "compensated", error: reason })];
}

function nodeOf(graph: Graph, id: string): GraphNode | undefined {
  return topologyOf(graph).byId.get(id);
}

function emit(event: RunEvent): Effect {
  return { kind: "emit", event };
}

/** What decide needs from a graph's shape; it depends on the graph alone. */
type Topology = {
  /** Incoming edges per node, without loops' back edges (those drive the next iteration instead). */
  incoming: Map<string, GraphEdge[]>;
  loops: Map<string, LoopShape>;
  /** Nodes inside a for-each's body (they run in its items' runs). */
  itemBodies: Set<string>;
  /** Per for-each: the nodes outside its body whose outputs the body reads (handed to each item's run). */
  bodyReads: Map<string, Set<string>>;
  /** Saga: the compensation step of each step that has one, and the step each compensation undoes. */
  compensationOf: Map<string, string>;
  compensating: Map<string, string>;
  byId: Map<string, GraphNode>;
};

/**
 * decide runs once per step of a run over the same graph object, so the topology is computed
 * once per graph instead of once per step (on a 5,000-node graph that was most of decide's
 * cost). Graphs are treated as immutable: the worker parses one per run and never changes it.
 */
const topologies = new WeakMap<Graph, Topology>();

function topologyOf(graph: Graph): Topology {
  const cached = topologies.get(graph);
  if (cached) return cached;
  const outgoing = outgoingEdges(graph);
  const loops = new Map<string, LoopShape>();
  const forEaches = new Map<string, LoopShape>();
  for (const node of graph.nodes) {
    if (node.type === "loop") loops.set(node.id, loopShape(graph, node.id, outgoing));
    if (node.type === "for_each") forEaches.set(node.id, loopShape(graph, node.id, outgoing, "item"));
  }
  const backEdges = new Set([...loops.values(), ...forEaches.values()].flatMap((shape) => shape.backEdges.map((edge) => edge.id)));
  const incoming = new Map<string, GraphEdge[]>();
  for (const edge of graph.edges) if (!backEdges.has(edge.id)) appendTo(incoming, edge.target, edge);
  const itemBodies = new Set([...forEaches.values()].flatMap((shape) => [...shape.body]));
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const bodyReads = new Map<string, Set<string>>();
  for (const [id, shape] of forEaches) {
    const reads = nodesReadBy([...shape.body].flatMap((bodyId) => byId.get(bodyId) ?? []));
    for (const bodyId of shape.body) reads.delete(bodyId);
    bodyReads.set(id, reads);
  }
  const compensationOf = new Map<string, string>();
  const compensating = new Map<string, string>();
  for (const edge of graph.edges) {
    if (edge.sourceHandle !== COMPENSATE_HANDLE) continue;
    compensationOf.set(edge.source, edge.target);
    compensating.set(edge.target, edge.source);
  }
  const topology = { incoming, loops, itemBodies, bodyReads, compensationOf, compensating, byId };
  topologies.set(graph, topology);
  return topology;
}

/** An edge is taken when its source succeeded through the edge's handle. */
function isTaken(edge: GraphEdge, state: RunState): boolean {
  const source = state.nodes[edge.source];
  return source?.status === "succeeded" && (source.handle ?? null) === (edge.sourceHandle ?? null);
}

function isResolved(edge: GraphEdge, state: RunState): boolean {
  const source = state.nodes[edge.source];
  // A loop still iterating (finished through "body") has not decided its "done" edges yet.
  if (source?.status === "succeeded" && source.handle === "body" && edge.sourceHandle === "done") return false;
  const status = source?.status;
  return status === "succeeded" || status === "skipped" || status === "failed";
}

/**
 * A node starts once every incoming edge is resolved and at least one was taken; if all are
 * resolved and none was taken it is skipped (dead-path elimination), so branches merge
 * correctly and a join waits for all of its branches.
 */
function readinessOf(node: GraphNode, edges: GraphEdge[], state: RunState): "ready" | "skip" | "blocked" {
  if (node.type === "trigger") return "ready";
  if (edges.length === 0) return "skip";
  if (!edges.every((edge) => isResolved(edge, state))) return "blocked";
  return edges.some((edge) => isTaken(edge, state)) ? "ready" : "skip";
}

/** The output flowing into a node: its single taken predecessor's output, or a map by node id. */
function previousOutput(edges: GraphEdge[], state: RunState): unknown {
  const taken = edges.filter((edge) => isTaken(edge, state));
  if (taken.length === 1 && taken[0]) return state.nodes[taken[0].source]?.output;
  return Object.fromEntries(taken.map((edge) => [edge.source, state.nodes[edge.source]?.output]));
}

/** In a for-each item's run, `{{input}}` is the outer run's input and the item is `{{item}}`. */
function scopeFor(edges: GraphEdge[], state: RunState): TemplateScope {
  const previous = previousOutput(edges, state);
  if (!state.item) return { input: state.input, previous, nodes: nodeOutputs(state) };
  return { input: state.item.input, previous, nodes: nodeOutputs(state), item: state.input, index: state.item.index };
}

/**
 * `{{nodes.<id>.output}}` for every node of the run. Built once per state (states are never
 * mutated): when a fan-out starts thousands of branches in one step, they share one map
 * instead of each copying every node's output.
 */
const nodeOutputsByState = new WeakMap<RunState["nodes"], TemplateScope["nodes"]>();

function nodeOutputs(state: RunState): TemplateScope["nodes"] {
  let nodes = nodeOutputsByState.get(state.nodes);
  if (!nodes) {
    // An item's run also sees the outer run's nodes its body reads (its own come after, so they win).
    nodes = { ...state.item?.nodes };
    for (const [id, nodeState] of Object.entries(state.nodes)) nodes[id] = { output: nodeState.output };
    nodeOutputsByState.set(state.nodes, nodes);
  }
  return nodes;
}

function startNode(graph: Graph, node: GraphNode, state: RunState, edges: GraphEdge[]): Effect[] {
  const started = emit({ type: "node_started", nodeId: node.id });
  switch (node.type) {
    case "trigger":
      return [started, emit({ type: "node_finished", nodeId: node.id, output: state.input, handle: null })];
    case "agent":
      return [emit({ type: "node_started", nodeId: node.id, messages: initialThread(node.data, scopeFor(edges, state)) })];
    case "human":
      return [started];
    case "output": {
      const scope = scopeFor(edges, state);
      const output = node.data.template.trim() === "" ? scope.previous : renderTemplate(node.data.template, scope);
      return [started, emit({ type: "node_finished", nodeId: node.id, output, handle: null })];
    }
    case "parallel":
    case "join":
      return [started, emit({ type: "node_finished", nodeId: node.id, output: previousOutput(edges, state), handle: null })];
    case "condition": {
      const scope = scopeFor(edges, state);
      const result = evaluateExpression(node.data.expression, { ...scope });
      if (!result.ok) return [started, emit({ type: "node_failed", nodeId: node.id, error: `expression: ${result.error}` })];
      return [started, emit({ type: "node_finished", nodeId: node.id, output: scope.previous, handle: result.value ? "true" : "false" })];
    }
    case "loop":
      return [started, ...loopDecision(node, state, 1, scopeFor(edges, state))];
    case "tool":
      return [started];
    case "router":
      return [emit({ type: "node_started", nodeId: node.id, messages: routerThread(node.data, scopeFor(edges, state)) })];
    case "for_each":
      return [started, ...startForEach(node.id, node.data, scopeFor(edges, state)).map(emit)];
    case "subworkflow":
      return [started];
  }
}

/** Runs iteration `iteration` through "body" while it is within bounds and the condition holds. */
function loopDecision(node: Extract<GraphNode, { type: "loop" }>, state: RunState, iteration: number, scope: TemplateScope): Effect[] {
  const expression = node.data.whileExpression.trim();
  let again = iteration <= node.data.maxIterations;
  if (again && expression !== "") {
    const result = evaluateExpression(expression, { ...scope, iteration });
    if (!result.ok) return [emit({ type: "node_failed", nodeId: node.id, error: `expression: ${result.error}` })];
    again = Boolean(result.value);
  }
  if (!again) return [emit({ type: "node_finished", nodeId: node.id, output: scope.previous, handle: "done" })];
  return [
    emit({ type: "loop_iteration", nodeId: node.id, iteration }),
    emit({ type: "node_finished", nodeId: node.id, output: scope.previous, handle: "body" }),
  ];
}

/** After the body of an iteration has settled: reset it and go round again, or finish. */
function continueLoop(node: Extract<GraphNode, { type: "loop" }>, state: RunState, { body, backEdges }: LoopShape): Effect[] {
  const settled = [...body].every((id) => {
    const status = state.nodes[id]?.status ?? "pending";
    return status === "succeeded" || status === "skipped" || status === "failed";
  });
  if (!settled) return [];
  if ([...body].some((id) => state.nodes[id]?.status === "failed")) return [];
  const scope = scopeFor(backEdges, state);
  if (!backEdges.some((edge) => isTaken(edge, state))) {
    return [emit({ type: "node_finished", nodeId: node.id, output: scope.previous, handle: "done" })];
  }
  const iteration = (state.nodes[node.id]?.iteration ?? 1) + 1;
  const decision = loopDecision(node, state, iteration, scope);
  const first = decision[0];
  if (first?.kind === "emit" && first.event.type === "loop_iteration") {
    first.event.resetNodeIds = [...body];
  }
  return decision;
}

/**
 * How the engine hears an agent's answer is its business, not the builder's: the prompt a
 * builder writes says what the agent is for, and the run adds the closing instruction (unless
 * the prompt already names the tool, as older drafts and the presets do).
 */
export function systemPromptForRun(systemPrompt: string): string {
  if (systemPrompt.includes(COMPLETE_TASK)) return systemPrompt;
  return `${systemPrompt.trimEnd()}\n\nWhen you are done, call ${COMPLETE_TASK} with your final answer as \`result\`.`;
}

function initialThread(data: NodeDataOf<"agent">, scope: TemplateScope): ChatMessage[] {
  return [
    { role: "system", content: systemPromptForRun(data.systemPrompt) },
    { role: "user", content: renderTemplate(data.task, scope) },
  ];
}

function continueNode(graph: Graph, node: GraphNode, state: RunState, edges: GraphEdge[], topology: Topology): Effect[] {
  switch (node.type) {
    case "agent":
      return continueAgent(graph, node.id, node.data, state, runBudget(graph));
    case "human":
      return continueHuman(node.id, node.data, state, edges);
    case "tool":
      return continueToolNode(node.id, node.data, state, edges);
    case "router":
      return continueRouter(node.id, node.data, state, previousOutput(edges, state));
    case "for_each":
      return continueForEach(node, state, scopeFor(edges, state), topology.bodyReads.get(node.id) ?? new Set());
    case "subworkflow":
      return continueSubworkflow(node.id, node.data, state, scopeFor(edges, state));
    default:
      return [];
  }
}

function runBudget(graph: Graph): Budget {
  const trigger = graph.nodes.find((node) => node.type === "trigger");
  return trigger?.type === "trigger" ? { tokens: trigger.data.budgetTokens, usd: trigger.data.budgetUsd } : { tokens: 0, usd: 0 };
}

function continueHuman(nodeId: string, data: NodeDataOf<"human">, state: RunState, edges: GraphEdge[]): Effect[] {
  const human = state.humans[nodeId];
  if (!human) {
    // The message is rendered now, so the reviewer reads "Check the draft: …", not "{{previous}}".
    const scope = scopeFor(edges, state);
    return [{ kind: "request_human", nodeId, humanKind: "gate", message: renderTemplate(data.message, scope), context: scope.previous }];
  }
  if (!human.decision) return [];
  return [emit({ type: "node_finished", nodeId, ...gateOutcome(human) })];
}

/**
 * What a gate passes on. Approved: the reviewed work (as the reviewer corrected it), so what
 * follows sees the work, not the verdict. Rejected: the work and the reviewer's reason, on the
 * reject branch — a revise loop can hand both to an agent. Timed out with the "timeout"
 * outcome: the work, on the timeout branch.
 */
export function gateOutcome(human: PendingHuman): { output: unknown; handle: string } {
  if (human.timedOut === "timeout") return { output: human.context, handle: "timeout" };
  if (human.decision === "reject") {
    const reason = human.timedOut ? "no answer before the timeout" : (human.comment ?? "");
    return { output: { content: human.context, reason }, handle: "reject" };
  }
  return { output: human.editedContent !== undefined ? human.editedContent : human.context, handle: "approve" };
}

/** A tool node: one call with templated arguments, approved by a person when required. */
function continueToolNode(nodeId: string, data: NodeDataOf<"tool">, state: RunState, edges: GraphEdge[]): Effect[] {
  const nodeState = state.nodes[nodeId];
  const result = nodeState?.toolResult;
  if (result) {
    return [
      result.ok
        ? emit({ type: "node_finished", nodeId, output: result.data ?? result.content, handle: null })
        : emit({ type: "node_failed", nodeId, error: result.content }),
    ];
  }
  let rawArguments: unknown;
  try {
    rawArguments = JSON.parse(data.arguments.trim() === "" ? "{}" : data.arguments);
  } catch {
    return [emit({ type: "node_failed", nodeId, error: "arguments are not valid JSON" })];
  }
  const { args, credentialSlots } = renderToolArguments(rawArguments, scopeFor(edges, state));
  const pending = state.humans[nodeId];
  if (pending && !pending.decision) return [];
  if (pending?.decision === "reject") {
    return [emit({ type: "node_failed", nodeId, error: `the reviewer rejected the ${data.tool} call${pending.comment ? `: ${pending.comment}` : ""}` })];
  }
  const parsed = parseToolArgs(data.tool, pending?.editedArguments ?? args);
  if (!parsed.ok) return [emit({ type: "node_failed", nodeId, error: `invalid arguments for ${data.tool}: ${parsed.error}` })];
  const approvalNeeded = data.approval === "always" || (data.approval === "default" && needsApproval(data.tool, []));
  if (approvalNeeded && !pending) {
    return [{ kind: "request_human", nodeId, humanKind: "tool_approval", message: `Approve the ${data.tool} call?`, context: { tool: data.tool, arguments: toJsonText(parsed.args) ?? "" } }];
  }
  return [
    {
      kind: "call_tool",
      nodeId,
      toolCallId: null,
      name: data.tool,
      args: parsed.args,
      idempotencyKey: `${nodeState?.startedSeq ?? 0}:node`,
      ...(pending?.editedArguments === undefined ? { credentialSlots } : {}),
    },
  ];
}

function finishRun(graph: Graph, state: RunState): Extract<RunEvent, { type: "run_finished" }> {
  const failed = graph.nodes.filter((node) => state.nodes[node.id]?.status === "failed");
  if (failed.length > 0) {
    const errors = failed.map((node) => `${node.id}: ${state.nodes[node.id]?.error ?? "failed"}`);
    return { type: "run_finished", status: "failed", error: errors.join("; ") };
  }
  const outputs = graph.nodes.filter((node) => node.type === "output" && state.nodes[node.id]?.status === "succeeded");
  // A reviewer's "no" (or a timeout) whose branch leads to no output ends the run as rejected.
  const rejected = graph.nodes.some((node) => node.type === "human" && ["reject", "timeout"].includes(state.nodes[node.id]?.handle ?? ""));
  const status: TerminalRunStatus = outputs.length === 0 && rejected ? "rejected" : "succeeded";
  const output =
    outputs.length === 1 && outputs[0]
      ? state.nodes[outputs[0].id]?.output
      : outputs.length === 0
        ? null
        : Object.fromEntries(outputs.map((node) => [node.data.label || node.id, state.nodes[node.id]?.output]));
  return { type: "run_finished", status, output };
}
