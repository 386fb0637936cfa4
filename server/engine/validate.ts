import { COMPENSATE_HANDLE, COMPENSATION_KINDS, sourceHandlesOf, type Graph, type GraphNode } from "./graph";
import { inputFieldProblems } from "./run-input";
import { isKnownTool } from "./agent-tools";
import { toolCatalogEntry } from "./tools/catalog";
import { checkExpression } from "./expression";
import { referenceProblems } from "./references";
import { appendTo, outgoingEdges } from "./graph-index";
import { nodeNamer } from "./node-name";
import { loopShape } from "./loops";

/**
 * Every problem of a graph, each tied to the node or edge it concerns, so the editor can
 * point at it. `error` blocks a run; `warning` does not. A message about a node starts with
 * its kind and label (`Agent "Summariser": the task is empty`, see node-name.ts), so a list
 * of problems says which node each is about.
 */
export type GraphProblem = {
  severity: "error" | "warning";
  code: string;
  message: string;
  nodeId?: string;
  edgeId?: string;
};


/** What the graph's own content cannot say: which workflow it is (a sub-workflow must not call it). */
export type ValidationContext = { workflowId?: string };

export function validateGraph(graph: Graph, context: ValidationContext = {}): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const byId = new Map<string, GraphNode>();
  const nameOf = nodeNamer(graph);

  for (const node of graph.nodes) {
    if (byId.has(node.id)) {
      problems.push({ severity: "error", code: "duplicate_node", message: `Two nodes have the id "${node.id}"`, nodeId: node.id });
    }
    byId.set(node.id, node);
  }

  const triggers = graph.nodes.filter((node) => node.type === "trigger");
  if (triggers.length === 0) problems.push({ severity: "error", code: "no_trigger", message: "The workflow needs a Trigger node" });
  for (const extra of triggers.slice(1)) {
    problems.push({ severity: "error", code: "extra_trigger", message: `${nameOf(extra)}: only one Trigger node is allowed`, nodeId: extra.id });
  }
  for (const trigger of triggers) {
    if (trigger.type !== "trigger") continue;
    for (const problem of inputFieldProblems(trigger.data.inputFields)) {
      const code = problem.part === "name" ? "duplicate_input_field" : "bad_input_default";
      problems.push({ severity: "error", code, message: `${nameOf(trigger)}: ${problem.message}`, nodeId: trigger.id });
    }
  }
  if (!graph.nodes.some((node) => node.type === "output")) {
    problems.push({ severity: "warning", code: "no_output", message: "No Output node: runs will finish without an output" });
  }

  for (const edge of graph.edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source || !target) {
      const missing = !source ? edge.source : edge.target;
      problems.push({ severity: "error", code: "dangling_edge", message: `Edge points at missing node "${missing}"`, edgeId: edge.id });
      continue;
    }
    if (!sourceHandlesOf(source).includes(edge.sourceHandle ?? null)) {
      problems.push({
        severity: "error",
        code: "bad_handle",
        message: `${nameOf(source)} has no output "${edge.sourceHandle ?? "default"}"`,
        edgeId: edge.id,
        nodeId: source.id,
      });
    }
    if (source.type === "human" && edge.sourceHandle === "timeout" && (source.data.timeoutSeconds === 0 || source.data.onTimeout !== "timeout")) {
      problems.push({
        severity: "warning",
        code: "unused_timeout_branch",
        message: `${nameOf(source)}: the timeout branch is never taken; set a timeout with "On timeout: take the timeout branch"`,
        edgeId: edge.id,
        nodeId: source.id,
      });
    }
    if (target.type === "trigger") {
      problems.push({ severity: "error", code: "edge_into_trigger", message: `${nameOf(source)}: nothing can connect into the Trigger`, edgeId: edge.id, nodeId: target.id });
    }
  }

  for (const node of graph.nodes) {
    if (node.type !== "human" || node.data.timeoutSeconds === 0 || node.data.onTimeout !== "timeout") continue;
    if (graph.edges.some((edge) => edge.source === node.id && edge.sourceHandle === "timeout")) continue;
    problems.push({
      severity: "warning",
      code: "unconnected_timeout_branch",
      message: `${nameOf(node)}: on timeout the run leaves through the timeout output, but nothing is connected to it`,
      nodeId: node.id,
    });
  }

  problems.push(...compensationProblems(graph, byId, nameOf));
  problems.push(...reachabilityProblems(graph, triggers[0]?.id, nameOf));
  problems.push(...cycleProblems(graph, byId, nameOf));

  for (const node of graph.nodes) problems.push(...nodeProblems(node, nameOf(node)));
  for (const node of graph.nodes) {
    if (node.type === "for_each") problems.push(...forEachProblems(graph, node, nameOf(node)));
    if (node.type === "subworkflow" && context.workflowId !== undefined && node.data.workflowId === context.workflowId) {
      problems.push({ severity: "error", code: "subworkflow_recursion", message: `${nameOf(node)}: a workflow cannot call itself`, nodeId: node.id });
    }
  }
  problems.push(...referenceProblems(graph));
  return problems;
}

/** `name`: how messages name the node (node-name.ts). */
function nodeProblems(node: GraphNode, name: string): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const at = (code: string, message: string, severity: GraphProblem["severity"] = "error") =>
    problems.push({ severity, code, message, nodeId: node.id });

  if (node.type === "agent") {
    if (node.data.systemPrompt.trim() === "") at("missing_config", `${name}: the system prompt is empty`);
    if (node.data.task.trim() === "") at("missing_config", `${name}: the task is empty`);
    for (const tool of node.data.allowedTools) {
      if (!isKnownTool(tool)) at("unknown_tool", `${name}: unknown tool "${tool}"`);
    }
    // MCP tools: each callable by its own name, none shadowing a built-in (the servers' own
    // existence is checked where the server list is known: at run start and in the editor).
    const seen = new Set<string>();
    for (const tool of node.data.mcpTools) {
      if (isKnownTool(tool.name)) at("duplicate_tool", `${name}: the MCP tool "${tool.tool}" is named "${tool.name}" like a built-in tool`);
      else if (seen.has(tool.name)) at("duplicate_tool", `${name}: two MCP tools are named "${tool.name}"`);
      seen.add(tool.name);
    }
  }
  if (node.type === "tool") {
    if (node.data.tool === "") at("missing_config", `${name}: choose a tool`);
    else if (!toolCatalogEntry(node.data.tool)) at("unknown_tool", `${name}: unknown tool "${node.data.tool}"`);
    try {
      JSON.parse(node.data.arguments.trim() === "" ? "{}" : node.data.arguments);
    } catch {
      at("invalid_json", `${name}: the arguments are not valid JSON`);
    }
  }
  if (node.type === "condition") {
    if (node.data.expression.trim() === "") at("missing_config", `${name}: the expression is empty`);
    else {
      const syntaxError = checkExpression(node.data.expression);
      if (syntaxError) at("invalid_expression", `${name}: ${syntaxError}`);
    }
  }
  if (node.type === "loop" && node.data.whileExpression.trim() !== "") {
    const syntaxError = checkExpression(node.data.whileExpression);
    if (syntaxError) at("invalid_expression", `${name}: ${syntaxError}`);
  }
  if (node.type === "router") problems.push(...routerProblems(node, name));
  if (node.type === "for_each") {
    if (node.data.items.trim() === "") at("missing_config", `${name}: say which list to go through (e.g. input.items)`);
    else {
      const syntaxError = checkExpression(node.data.items);
      if (syntaxError) at("invalid_expression", `${name}: ${syntaxError}`);
    }
  }
  if (node.type === "subworkflow") {
    if (node.data.workflowId === "") at("missing_config", `${name}: choose the workflow to run`);
    if (node.data.input.trim() !== "") {
      try {
        JSON.parse(node.data.input);
      } catch {
        at("invalid_json", `${name}: the input is not valid JSON`);
      }
    }
  }
  if (node.type === "human" && node.data.message.trim() === "") at("missing_config", `${name}: the message is empty`);
  return problems;
}

function reachabilityProblems(graph: Graph, triggerId: string | undefined, nameOf: (node: GraphNode) => string): GraphProblem[] {
  if (!triggerId) return [];
  const outgoing = outgoingEdges(graph);
  const seen = new Set<string>([triggerId]);
  // A read index instead of `shift()`, which moves the whole array on every call.
  const queue = [triggerId];
  for (let head = 0; head < queue.length; head += 1) {
    for (const edge of outgoing.get(queue[head] as string) ?? []) {
      if (!seen.has(edge.target)) {
        seen.add(edge.target);
        queue.push(edge.target);
      }
    }
  }
  return graph.nodes
    .filter((node) => !seen.has(node.id))
    .map((node) => ({
      severity: "error" as const,
      code: "unreachable",
      message: `${nameOf(node)} is not connected to the Trigger`,
      nodeId: node.id,
    }));
}

/** A node on the depth-first path and how many of its targets have been tried. */
type Frame = { id: string; tried: number };

/** Cycles are only allowed through a loop node (which bounds them). */
function cycleProblems(graph: Graph, byId: Map<string, GraphNode>, nameOf: (node: GraphNode) => string): GraphProblem[] {
  const outgoing = new Map<string, string[]>();
  for (const edge of graph.edges) {
    // Loops and for-eaches bound the cycles through their bodies.
    const sourceType = byId.get(edge.source)?.type;
    if (sourceType === "loop" || sourceType === "for_each") continue;
    appendTo(outgoing, edge.source, edge.target);
  }
  const state = new Map<string, "visiting" | "done">();
  const problems: GraphProblem[] = [];
  // Depth-first with an explicit stack: a recursive walk overflows the call stack on a long
  // chain. Each frame resumes at its next target, so nodes are visited (and cycles reported)
  // in the same order as a recursive walk would.
  const stack: Frame[] = [];
  const enter = (id: string) => {
    state.set(id, "visiting");
    stack.push({ id, tried: 0 });
  };
  for (const node of graph.nodes) {
    if (!state.has(node.id)) enter(node.id);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      const targets = outgoing.get(frame.id) ?? [];
      if (frame.tried === targets.length) {
        state.set(frame.id, "done");
        stack.pop();
        continue;
      }
      const next = targets[frame.tried] as string;
      frame.tried += 1;
      const s = state.get(next);
      if (s === "visiting") {
        const nextNode = byId.get(next);
        problems.push({ severity: "error", code: "cycle", message: `A cycle through ${nextNode ? nameOf(nextNode) : next} does not pass a Loop node`, nodeId: next });
      } else if (!s) enter(next);
    }
  }
  return problems;
}

/**
 * A for-each needs a body (its "item" output connected) that hands a result back (an edge from
 * the body into the for-each), and a body of its own: a node both in the body and after
 * "done" would run once per item and once more.
 */
function forEachProblems(graph: Graph, node: Extract<GraphNode, { type: "for_each" }>, name: string): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const at = (code: string, message: string) => problems.push({ severity: "error", code, message, nodeId: node.id });
  const outgoing = outgoingEdges(graph);
  const { body, backEdges } = loopShape(graph, node.id, outgoing, "item");
  if (body.size === 0) {
    at("for_each_body", `${name}: connect its "item" output to the steps to run for each item`);
    return problems;
  }
  if (backEdges.length === 0) at("for_each_body", `${name}: connect the body's last step back into it (that is each item's result)`);
  const { body: afterDone } = loopShape(graph, node.id, outgoing, "done");
  const shared = [...afterDone].filter((id) => body.has(id));
  if (shared.length > 0) at("for_each_body", `${name}: "${shared[0]}" is both in the body and after "done"; connect the body back into the For each instead`);
  return problems;
}

/**
 * Saga: a compensate edge leads to a step that only undoes — a Tool, Agent, Sub-workflow or
 * Human step that nothing else leads into and nothing follows — and a step has one at most.
 */
function compensationProblems(graph: Graph, byId: Map<string, GraphNode>, nameOf: (node: GraphNode) => string): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const seenSources = new Set<string>();
  for (const edge of graph.edges) {
    if (edge.sourceHandle !== COMPENSATE_HANDLE) continue;
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source || !target) continue;
    const at = (message: string) => problems.push({ severity: "error", code: "compensation", message, edgeId: edge.id, nodeId: target.id });
    if (seenSources.has(source.id)) at(`${nameOf(source)} has more than one compensation; undo it in one step`);
    seenSources.add(source.id);
    if (!COMPENSATION_KINDS.includes(target.type)) {
      at(`${nameOf(source)}: its compensation leads into ${nameOf(target)}; a compensation must be a Tool, Agent, Sub-workflow or Human approval step`);
      continue;
    }
    if (graph.edges.some((other) => other.target === target.id && other.id !== edge.id)) {
      at(`${nameOf(target)} undoes ${nameOf(source)}, so it runs only when the run fails: nothing else can lead into it`);
    }
    if (graph.edges.some((other) => other.source === target.id)) at(`${nameOf(target)} undoes ${nameOf(source)}: nothing can follow a compensation`);
  }
  return problems;
}

/** A router needs at least two branches, each named once, a default among them, and an input. */
function routerProblems(node: Extract<GraphNode, { type: "router" }>, name: string): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const at = (code: string, message: string) => problems.push({ severity: "error", code, message, nodeId: node.id });
  const { branches, defaultBranch, input } = node.data;
  if (branches.length < 2) at("router_branches", `${name}: a router needs at least two branches`);
  const names = new Set<string>();
  for (const branch of branches) {
    if (names.has(branch.name)) at("router_branches", `${name}: two branches are named "${branch.name}"`);
    names.add(branch.name);
  }
  if (!names.has(defaultBranch)) at("router_default", `${name}: the default branch "${defaultBranch}" is not one of its branches`);
  if (input.trim() === "") at("missing_config", `${name}: the input to classify is empty`);
  return problems;
}
