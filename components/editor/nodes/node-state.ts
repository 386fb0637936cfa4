import type { NodeRunStatus } from "@/server/engine/state";

/**
 * How a node card shows where the shown run is on it. Each state has its own border colour,
 * and also a word and an icon on a chip (and skipped a dashed border), so it never relies on
 * colour alone. The colours are Tailwind tokens the dark theme remaps (app/globals.css);
 * node-state.test.ts checks every border against the canvas (3:1) and every chip's text
 * against its fill (4.5:1), in light and dark. Tailwind only generates classes it finds
 * written out in the source, so the classes below stay literal strings.
 */
export type NodeVisualState =
  | "idle"
  | "pending"
  | "running"
  | "waiting"
  | "succeeded"
  | "failed"
  | "rejected"
  | "timed_out"
  | "skipped"
  | "stopped";

export type StateIcon = "spinner" | "pause" | "check" | "cross" | "ban" | "clock" | "skip" | "stop";

export type StateChip = { label: string; icon: StateIcon; className: string };

export type NodeStateStyle = {
  /** Border colour (and ring) classes of the card, whose border is 2 px in every state so a run never moves its handles. */
  frame: string;
  chip?: StateChip;
};

export const NODE_STATE_STYLES: Record<NodeVisualState, NodeStateStyle> = {
  idle: { frame: "border-slate-200" },
  pending: { frame: "border-slate-200" },
  // Sky, not the accent: the accent is the selection outline.
  running: {
    frame: "border-sky-700 ring-4 ring-sky-200/70",
    chip: { label: "Running", icon: "spinner", className: "bg-sky-700 text-white" },
  },
  waiting: {
    frame: "border-amber-700 ring-4 ring-amber-200/60",
    chip: { label: "Waiting", icon: "pause", className: "bg-amber-700 text-white" },
  },
  succeeded: {
    frame: "border-emerald-600",
    chip: { label: "Done", icon: "check", className: "bg-emerald-700 text-white" },
  },
  failed: {
    frame: "border-red-600 ring-2 ring-red-200/70",
    chip: { label: "Failed", icon: "cross", className: "bg-red-700 text-white" },
  },
  // A decision that went the "no" way is not a success: never a green border.
  rejected: {
    frame: "border-orange-700 ring-2 ring-orange-200/70",
    chip: { label: "Rejected", icon: "ban", className: "bg-orange-700 text-white" },
  },
  timed_out: {
    frame: "border-amber-700",
    chip: { label: "Timed out", icon: "clock", className: "bg-amber-700 text-white" },
  },
  skipped: {
    frame: "border-dashed border-slate-500 bg-slate-50",
    chip: { label: "Skipped", icon: "skip", className: "bg-slate-600 text-white" },
  },
  // A cancelled or failed run leaves nodes "running"/"waiting" in its state.
  stopped: {
    frame: "border-slate-500",
    chip: { label: "Stopped", icon: "stop", className: "bg-slate-600 text-white" },
  },
};

/** The selection is an outline outside the card, so it reads apart from any state's border. */
export const SELECTED_OUTLINE = "outline-2 outline-offset-2 outline-accent-600";
export const SELECTED_OUTLINE_COMPACT = "outline-4 outline-offset-2 outline-accent-600";

/** A branch a decision took, as the word on the chip ("Approved", "True", …). */
export function branchWord(handle: string): string {
  if (handle === "approve") return "Approved";
  if (handle === "reject") return "Rejected";
  if (handle === "timeout") return "Timed out";
  return handle.charAt(0).toUpperCase() + handle.slice(1);
}

export function visualStateOf(status: NodeRunStatus | null, handle: string | null, stopped: boolean): NodeVisualState {
  if (stopped) return "stopped";
  if (status === null) return "idle";
  if (status === "succeeded" && handle === "reject") return "rejected";
  if (status === "succeeded" && handle === "timeout") return "timed_out";
  return status;
}

/** The chip of a node in the shown run; a finished branching node names the branch it took. */
export function chipOf(state: NodeVisualState, handle: string | null): StateChip | undefined {
  const chip = NODE_STATE_STYLES[state].chip;
  if (chip && state === "succeeded" && handle) return { ...chip, label: branchWord(handle) };
  return chip;
}
