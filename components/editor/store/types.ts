import type { OnBeforeDelete, OnConnect, OnEdgesChange, OnNodesChange } from "@xyflow/react";
import type { StateCreator } from "zustand/vanilla";
import type { CommittedEvent, HumanDecision } from "@/server/engine/events";
import type { NodeKind } from "@/server/engine/graph";
import type { RunState } from "@/server/engine/state";
import type { GraphProblem } from "@/server/engine/validate";
import type { ClipboardPayload, DataPatch, Position } from "../commands";
import type { AppEdge, AppNode } from "../types";

/** What the store needs from the outside world; injected so the store never imports the API client. */
export type EditorServices = {
  respondToHuman: (input: { taskId: string; decision: HumanDecision } & HumanResponseExtras) => Promise<unknown>;
};

/**
 * What a person may add to a decision: a comment (the reason), the answer to an agent's
 * question, a tool call's edited arguments, or an approval step's edited content.
 */
export type HumanResponseExtras = { comment?: string; answer?: string; editedArguments?: string; editedContent?: unknown };

export type ProblemCount = { errors: number; warnings: number };

export type SaveState =
  | { status: "idle" }
  | { status: "saving" }
  | { status: "error"; message: string; conflict: boolean };

export type GraphSlice = {
  workflowId: string;
  name: string;
  nodes: AppNode[];
  edges: AppEdge[];
  /** Revision of the draft on the server this editor is based on (optimistic concurrency). */
  revision: number;
  /** Bumped on every change worth saving; dirty = editCount !== savedEditCount. */
  editCount: number;
  savedEditCount: number;
  save: SaveState;
  /**
   * Nothing in the document may change: a published version, a run's pinned graph, or a draft
   * opened by someone whose role cannot edit. Every editing action checks this and does
   * nothing, so the draft can never become dirty (no autosave, no leave prompt); components
   * read it only to hide controls that would do nothing.
   */
  readOnly: boolean;
  problems: GraphProblem[];
  problemCounts: Record<string, ProblemCount>;

  onNodesChange: OnNodesChange<AppNode>;
  onEdgesChange: OnEdgesChange<AppEdge>;
  onConnect: OnConnect;
  onBeforeDelete: OnBeforeDelete<AppNode, AppEdge>;
  onNodeDragStart: () => void;
  onNodeDragStop: () => void;
  /** A node drag is under way: its position changes belong to the step recorded at drag start. */
  dragActive: boolean;
  /** View setting, not part of the document: whether dragged nodes snap to the grid. */
  snapToGrid: boolean;
  setSnapToGrid: (snap: boolean) => void;
  /** Pastes nodes (new ids, offset) and selects them; returns how many were added. */
  paste: (payload: ClipboardPayload) => number;
  duplicateSelection: () => void;
  autoLayout: () => Promise<void>;
  addNode: (kind: NodeKind, position: Position, data?: DataPatch) => string;
  updateNodeData: (nodeId: string, patch: DataPatch) => void;
  setName: (name: string) => void;
  markSaving: () => void;
  markSaved: (revision: number, savedEditCount: number) => void;
  markSaveFailed: (message: string, conflict: boolean) => void;
  /** After a conflict, adopt the server's revision so the next save overwrites it. */
  rebase: (revision: number) => void;
};

export type SelectionSlice = {
  /** The node the inspector shows: set when exactly one node is selected. */
  selectedNodeId: string | null;
  selectNode: (nodeId: string | null) => void;
};

export type HistorySlice = {
  past: { nodes: AppNode[]; edges: AppEdge[] }[];
  future: { nodes: AppNode[]; edges: AppEdge[] }[];
  lastCoalesceKey: string | null;
  undo: () => void;
  redo: () => void;
};

export type RunOverlay = {
  runId: string | null;
  /** The run's state folded from its events with the engine's `step`; null when no run is shown. */
  state: RunState | null;
  events: CommittedEvent[];
};

/**
 * asking: the Run form is open; starting: its input was sent; error: saving before the form
 * failed, or (`problems`) the graph has errors, which the run panel then shows live from validation.
 */
export type LaunchState = { status: "idle" } | { status: "asking" } | { status: "starting" } | { status: "error"; message: string; problems?: boolean };

/**
 * Time travel: the canvas shows the run as it was at event `seq`. `run` then holds that
 * historical state (so every card, edge and panel shows it unchanged), and the live run waits
 * here, still following the stream, until the view goes back to it.
 */
export type TimeTravel = { seq: number; live: RunOverlay };

export type RunSlice = {
  run: RunOverlay;
  timeTravel: TimeTravel | null;
  /** Shows the state at `seq` (the fold of the events up to it); null goes back to the live run. */
  viewRunAt: (seq: number | null) => void;
  /** Saving, asking for the input and starting a run from the editor, before the run id is known. */
  launch: LaunchState;
  setLaunch: (launch: LaunchState) => void;
  showRun: (runId: string, snapshot?: { state: RunState; events: CommittedEvent[] }) => void;
  applyRunEvent: (event: CommittedEvent) => void;
  clearRun: () => void;
  respondToHuman: (nodeId: string, decision: HumanDecision, extras?: HumanResponseExtras) => Promise<void>;
};

export type EditorState = GraphSlice & SelectionSlice & HistorySlice & RunSlice;

export type SliceCreator<T> = StateCreator<EditorState, [], [], T>;
