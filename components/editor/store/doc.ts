import { validateGraph, type GraphProblem } from "@/server/engine/validate";
import type { EditorDoc } from "../commands";
import { flowToGraph } from "../graph-convert";
import type { AppNode } from "../types";
import type { EditorState, ProblemCount } from "./types";

/** The undoable document inside the store, in the shape the pure commands work on. */
export function docOf(state: EditorState): EditorDoc {
  return {
    graph: { nodes: state.nodes, edges: state.edges },
    history: { past: state.past, future: state.future, lastCoalesceKey: state.lastCoalesceKey },
  };
}

export type CommitKind =
  /** Shape or settings changed: revalidate and mark dirty. */
  | "structural"
  /** Only positions changed: dirty, but validation cannot change. */
  | "layout"
  /** Only view state (selection) changed. */
  | "view";

/** One state update for a document change, so every slice sees it in the same render. */
export function commitDoc(state: EditorState, doc: EditorDoc, kind: CommitKind): Partial<EditorState> {
  const patch: Partial<EditorState> = {
    nodes: doc.graph.nodes,
    edges: doc.graph.edges,
    past: doc.history.past,
    future: doc.history.future,
    lastCoalesceKey: doc.history.lastCoalesceKey,
    selectedNodeId: selectedIdOf(doc.graph.nodes),
  };
  if (kind !== "view") patch.editCount = state.editCount + 1;
  if (kind === "structural") Object.assign(patch, problemsOf(doc.graph.nodes, doc.graph.edges));
  return patch;
}

export function selectedIdOf(nodes: readonly AppNode[]): string | null {
  let found: string | null = null;
  for (const node of nodes) {
    if (!node.selected) continue;
    // Several selected nodes: the inspector shows none rather than guess.
    if (found !== null) return null;
    found = node.id;
  }
  return found;
}

export function problemsOf(nodes: EditorState["nodes"], edges: EditorState["edges"]): Pick<EditorState, "problems" | "problemCounts"> {
  return problemCountsOf(validateGraph(flowToGraph({ nodes, edges })));
}

export function problemCountsOf(problems: GraphProblem[]): Pick<EditorState, "problems" | "problemCounts"> {
  const problemCounts: Record<string, ProblemCount> = {};
  for (const problem of problems) {
    if (!problem.nodeId) continue;
    const count = (problemCounts[problem.nodeId] ??= { errors: 0, warnings: 0 });
    if (problem.severity === "error") count.errors++;
    else count.warnings++;
  }
  return { problems, problemCounts };
}
