import type { NodeTypes } from "@xyflow/react";
import type { NodeKind } from "@/server/engine/graph";
import { AgentNode } from "./agent-node";
import { ConditionNode } from "./condition-node";
import { ForEachNode } from "./for-each-node";
import { HumanNode } from "./human-node";
import { JoinNode } from "./join-node";
import { LoopNode } from "./loop-node";
import { OutputNode } from "./output-node";
import { ParallelNode } from "./parallel-node";
import { RouterNode } from "./router-node";
import { SubworkflowNode } from "./subworkflow-node";
import { ToolNode } from "./tool-node";
import { TriggerNode } from "./trigger-node";

/** Module-level so React Flow never sees a new object and remounts every node. */
export const nodeTypes = {
  trigger: TriggerNode,
  agent: AgentNode,
  tool: ToolNode,
  human: HumanNode,
  condition: ConditionNode,
  parallel: ParallelNode,
  join: JoinNode,
  loop: LoopNode,
  output: OutputNode,
  router: RouterNode,
  for_each: ForEachNode,
  subworkflow: SubworkflowNode,
} satisfies Record<NodeKind, unknown> satisfies NodeTypes;
