import { AGENT_PRESETS } from "@/server/engine/presets";
import { NODE_KINDS, type NodeKind } from "@/server/engine/graph";
import type { DataPatch } from "./commands";
import { NODE_KIND_INFO, type NodeKindInfo } from "./node-kinds";

/** One entry of the palette: a node kind with its defaults, or an agent preset. */
export type PaletteItem = Pick<NodeKindInfo, "Icon" | "tile"> & {
  /** Carried by drag and drop; unique across the palette. */
  key: string;
  kind: NodeKind;
  title: string;
  description: string;
  data?: DataPatch;
  group: "nodes" | "presets";
};

export const PALETTE_ITEMS: readonly PaletteItem[] = [
  ...NODE_KINDS.map((kind): PaletteItem => ({ key: kind, kind, group: "nodes", ...NODE_KIND_INFO[kind] })),
  ...AGENT_PRESETS.map(
    (preset): PaletteItem => ({
      key: `preset:${preset.id}`,
      kind: "agent",
      group: "presets",
      title: preset.name,
      description: preset.capabilities.join(", "),
      Icon: NODE_KIND_INFO.agent.Icon,
      tile: NODE_KIND_INFO.agent.tile,
      data: preset.data,
    }),
  ),
];

export function findPaletteItem(key: string): PaletteItem | undefined {
  return PALETTE_ITEMS.find((item) => item.key === key);
}
