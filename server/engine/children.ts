import type { RunEvent, ItemScope } from "./events";
import type { GraphNode, NodeDataOf } from "./graph";
import type { ChildrenState, RunState } from "./state";
import { evaluateExpression } from "./expression";
import { renderTemplateValue, type TemplateScope } from "./template";
import { toJsonText } from "./json-text";

/**
 * For-each and sub-workflow nodes: the decisions of nodes whose work is done by child runs.
 * Pure like the rest of decide: the worker starts a child for each `start_child` effect and
 * commits `child_started`; when a child run ends its outcome is committed to this run as
 * `child_finished` (server/runs/child-runs.ts), and the node decides again. While its
 * children work the node asks for nothing, so the run holds no job.
 */

export type StartChildEffect = {
  kind: "start_child";
  nodeId: string;
  /** The item's place in the list (0 for a sub-workflow). */
  index: number;
  /** Unique per child within the run; the worker prefixes the run id (a retried start finds the same child). */
  key: string;
  input: unknown;
  /** A for-each item: what the body sees besides the item. */
  item?: ItemScope;
  /** A sub-workflow: the workflow to run (the worker pins its latest published version). */
  workflowId?: string;
};

type Emitted = { kind: "emit"; event: RunEvent };
type ChildEffect = Emitted | StartChildEffect;

const emit = (event: RunEvent): Emitted => ({ kind: "emit", event });

/** The list a for-each iterates over, or why there is none. */
function listOf(data: NodeDataOf<"for_each">, scope: TemplateScope): { ok: true; items: unknown[] } | { ok: false; error: string } {
  const result = evaluateExpression(data.items, { ...scope });
  if (!result.ok) return { ok: false, error: `items: ${result.error}` };
  if (!Array.isArray(result.value)) {
    const shown = result.value === undefined ? "nothing" : clip(toJsonText(result.value) ?? String(result.value));
    return { ok: false, error: `items: "${data.items}" is not a list (it is ${shown})` };
  }
  return { ok: true, items: result.value };
}

/** A for-each starts: it lists its items (none: it is done at once). */
export function startForEach(nodeId: string, data: NodeDataOf<"for_each">, scope: TemplateScope): RunEvent[] {
  const list = listOf(data, scope);
  if (!list.ok) return [{ type: "node_failed", nodeId, error: list.error }];
  if (list.items.length === 0) return [{ type: "items_listed", nodeId, count: 0 }, { type: "node_finished", nodeId, output: [], handle: "done" }];
  return [{ type: "items_listed", nodeId, count: list.items.length }];
}

/**
 * A for-each at work: finished when every item is; failed at the first failed item under
 * `onError: fail`; otherwise it starts the next items, up to its concurrency.
 */
export function continueForEach(node: Extract<GraphNode, { type: "for_each" }>, state: RunState, scope: TemplateScope, bodyReads: ReadonlySet<string>): ChildEffect[] {
  const nodeState = state.nodes[node.id];
  const children = nodeState?.children;
  if (!children) return [];
  const { data } = node;
  const failedIndexes = Object.keys(children.errors).map(Number).sort((a, b) => a - b);
  if (data.onError === "fail" && failedIndexes.length > 0) {
    const first = failedIndexes[0] as number;
    return [emit({ type: "node_failed", nodeId: node.id, error: `item ${first + 1} of ${children.total}: ${children.errors[first]}` })];
  }
  if (finishedCount(children) === children.total) {
    return [emit({ type: "node_finished", nodeId: node.id, output: collectedOutput(children, data.onError), handle: "done" })];
  }
  let free = data.concurrency - Object.keys(children.inFlight).length;
  if (free <= 0) return [];
  const list = listOf(data, scope);
  // The list was read when the node started and nothing it reads has changed since (the nodes
  // before it are settled); it can only fail now if the log was edited by a fork.
  if (!list.ok || list.items.length !== children.total) {
    return [emit({ type: "node_failed", nodeId: node.id, error: list.ok ? "items: the list changed while the for-each ran" : list.error })];
  }
  const outer = itemOuterScope(scope, bodyReads);
  const effects: ChildEffect[] = [];
  for (let index = 0; index < children.total && free > 0; index += 1) {
    if (index in children.inFlight || index in children.results || index in children.errors) continue;
    effects.push({
      kind: "start_child",
      nodeId: node.id,
      index,
      key: childKey(nodeState, children, index),
      input: list.items[index] ?? null,
      item: { index, input: outer.input, nodes: outer.nodes },
    });
    free -= 1;
  }
  return effects;
}

/** A sub-workflow: starts its one child, then finishes (or fails) as the child did. */
export function continueSubworkflow(nodeId: string, data: NodeDataOf<"subworkflow">, state: RunState, scope: TemplateScope): ChildEffect[] {
  const nodeState = state.nodes[nodeId];
  const children = nodeState?.children;
  if (children && "0" in children.results) return [emit({ type: "node_finished", nodeId, output: children.results[0], handle: null })];
  if (children && "0" in children.errors) return [emit({ type: "node_failed", nodeId, error: `the sub-workflow's run: ${children.errors[0]}` })];
  if (children && "0" in children.inFlight) return [];
  let input: unknown = scope.previous ?? null;
  if (data.input.trim() !== "") {
    try {
      input = renderTemplateValue(JSON.parse(data.input), scope);
    } catch {
      return [emit({ type: "node_failed", nodeId, error: "input: not valid JSON" })];
    }
  }
  const current: ChildrenState = children ?? { total: 1, inFlight: {}, results: {}, errors: {} };
  return [{ kind: "start_child", nodeId, index: 0, key: childKey(nodeState, current, 0), input, workflowId: data.workflowId }];
}

function childKey(nodeState: RunState["nodes"][string] | undefined, children: ChildrenState, index: number): string {
  return `${nodeState?.startedSeq ?? 0}:${children.generation ?? 0}:${index}`;
}

function finishedCount(children: ChildrenState): number {
  return Object.keys(children.results).length + Object.keys(children.errors).length;
}

/** The body's results in the list's order: failed items left out (`skip`) or as `{ error }` (`collect`). */
function collectedOutput(children: ChildrenState, onError: NodeDataOf<"for_each">["onError"]): unknown[] {
  const output: unknown[] = [];
  for (let index = 0; index < children.total; index += 1) {
    if (index in children.results) output.push(children.results[index]);
    else if (onError === "collect") output.push({ error: children.errors[index] ?? "failed" });
  }
  return output;
}

/** What an item's run sees of this run: its input, and the outputs of the nodes the body reads. */
function itemOuterScope(scope: TemplateScope, bodyReads: ReadonlySet<string>): { input: unknown; nodes: ItemScope["nodes"] } {
  const nodes: ItemScope["nodes"] = {};
  for (const id of bodyReads) {
    const node = scope.nodes[id];
    if (node) nodes[id] = { output: node.output };
  }
  return { input: scope.input, nodes };
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
