import { AGENT_PRESETS } from "@/server/engine/presets";
import { NODE_KINDS, type NodeKind } from "@/server/engine/graph";
import { TOOL_CATALOG, type ToolName } from "@/server/engine/tools/catalog";
import type { DataPatch } from "./commands";
import { NODE_KIND_INFO, type NodeKindInfo } from "./node-kinds";

/** One entry of the palette: a node kind with its defaults, a tool node set to one tool, or an agent preset. */
export type PaletteItem = Pick<NodeKindInfo, "Icon" | "tile"> & {
  /** Carried by drag and drop; unique across the palette. */
  key: string;
  kind: NodeKind;
  title: string;
  description: string;
  /** Words a builder may search by that the title and description do not show (the tool's own name, synonyms). */
  keywords?: string;
  data?: DataPatch;
  group: "nodes" | "tools" | "presets";
};

/** How each tool reads in the palette; the catalog's description is for the model, these are for the builder. */
const TOOL_ITEMS: Record<ToolName, { title: string; description: string; keywords: string; label: string }> = {
  http_request: {
    title: "HTTP request",
    label: "HTTP request",
    description: "Call an API or fetch a web page",
    keywords: "http https api rest url web fetch get post put webhook",
  },
  run_code: {
    title: "Run code",
    label: "Run code",
    description: "JavaScript or Python in a sandbox",
    keywords: "code script javascript js python py sandbox compute calculate",
  },
  read_file: { title: "Read file", label: "Read file", description: "Read a text file of the run's workspace", keywords: "file read open" },
  write_file: { title: "Write file", label: "Write file", description: "Create or replace a file in the run's workspace", keywords: "file write save" },
  list_files: { title: "List files", label: "List files", description: "List a folder of the run's workspace", keywords: "file folder directory ls" },
};

export const PALETTE_ITEMS: readonly PaletteItem[] = [
  ...NODE_KINDS.map((kind): PaletteItem => ({ key: kind, kind, group: "nodes", ...NODE_KIND_INFO[kind] })),
  ...(Object.keys(TOOL_CATALOG) as ToolName[]).map((tool): PaletteItem => {
    const item = TOOL_ITEMS[tool];
    return {
      key: `tool:${tool}`,
      kind: "tool",
      group: "tools",
      title: item.title,
      description: item.description,
      keywords: `${tool} ${item.keywords} ${TOOL_CATALOG[tool].description}`,
      Icon: NODE_KIND_INFO.tool.Icon,
      tile: NODE_KIND_INFO.tool.tile,
      data: { label: item.label, tool },
    };
  }),
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

/**
 * The items matching a search: every word of the query must appear in the item's kind, title,
 * description or keywords ("http" finds the HTTP request tool, "python" the code tool,
 * "run python" too). Underscores count as spaces, so "http request" finds `http_request`.
 */
export function searchPaletteItems(items: readonly PaletteItem[], query: string): PaletteItem[] {
  const words = normalise(query).split(" ").filter(Boolean);
  if (words.length === 0) return [...items];
  return items.filter((item) => {
    const text = normalise(`${item.kind} ${item.title} ${item.description} ${item.keywords ?? ""}`);
    return words.every((word) => text.includes(word));
  });
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[_\s]+/g, " ").trim();
}
