import type { ComponentType, SVGProps } from "react";
import type { NodeKind } from "@/server/engine/graph";
import {
  BoltIcon,
  BranchIcon,
  FlagIcon,
  ListIcon,
  LoopIcon,
  MergeIcon,
  NestedIcon,
  SignpostIcon,
  SparkIcon,
  SplitIcon,
  UserCheckIcon,
  WrenchIcon,
} from "@/components/ui/icons";

/** How each node kind looks and is described: palette, node cards and inspector share it. */
export type NodeKindInfo = {
  title: string;
  description: string;
  Icon: ComponentType<SVGProps<SVGSVGElement>>;
  /** Icon tile colours (full class names so Tailwind sees them). */
  tile: string;
};

export const NODE_KIND_INFO: Record<NodeKind, NodeKindInfo> = {
  trigger: {
    title: "Trigger",
    description: "Where a run starts, with its input",
    Icon: BoltIcon,
    tile: "bg-emerald-100 text-emerald-700",
  },
  agent: {
    title: "Agent",
    description: "An LLM that works on a task",
    Icon: SparkIcon,
    tile: "bg-accent-100 text-accent-700",
  },
  tool: {
    title: "Tool",
    description: "One deterministic tool call",
    Icon: WrenchIcon,
    tile: "bg-sky-100 text-sky-700",
  },
  human: {
    title: "Human approval",
    description: "Waits for a person to approve or reject",
    Icon: UserCheckIcon,
    tile: "bg-amber-100 text-amber-700",
  },
  condition: {
    title: "Condition",
    description: "Branches on an expression",
    Icon: BranchIcon,
    tile: "bg-violet-100 text-violet-700",
  },
  parallel: {
    title: "Parallel",
    description: "Runs the following branches at once",
    Icon: SplitIcon,
    tile: "bg-cyan-100 text-cyan-700",
  },
  join: {
    title: "Join",
    description: "Waits for every incoming branch",
    Icon: MergeIcon,
    tile: "bg-teal-100 text-teal-700",
  },
  loop: {
    title: "Loop",
    description: "Repeats its body a bounded number of times",
    Icon: LoopIcon,
    tile: "bg-fuchsia-100 text-fuchsia-700",
  },
  output: {
    title: "Output",
    description: "The result of the run",
    Icon: FlagIcon,
    tile: "bg-slate-200 text-slate-700",
  },
  router: {
    title: "Router",
    description: "A model picks the branch that fits the input",
    Icon: SignpostIcon,
    tile: "bg-rose-100 text-rose-700",
  },
  for_each: {
    title: "For each",
    description: "Runs its body once per item of a list",
    Icon: ListIcon,
    tile: "bg-lime-100 text-lime-700",
  },
  subworkflow: {
    title: "Sub-workflow",
    description: "Runs another workflow of this workspace",
    Icon: NestedIcon,
    tile: "bg-blue-100 text-blue-700",
  },
};

export function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
}
