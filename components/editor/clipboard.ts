import { z } from "zod";
import { graphEdgeSchema, graphNodeSchema } from "@/server/engine/graph";
import { CLIPBOARD_FORMAT, type ClipboardPayload } from "./commands";

/**
 * Copy/paste of nodes through the system clipboard, so a selection can go into another
 * workflow (or another tab). Clipboard text comes from outside the app, so it is parsed
 * with the engine's own node and edge schemas before anything reaches the graph.
 */

const payloadSchema = z.object({
  format: z.literal(CLIPBOARD_FORMAT),
  nodes: z.array(graphNodeSchema).min(1).max(5_000),
  edges: z.array(graphEdgeSchema).max(10_000),
});

/** The payload in clipboard text, or null when the text is something else. */
export function parseClipboard(text: string): ClipboardPayload | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = payloadSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Where the copy also goes, for browsers (or tests) that deny clipboard access; shared by the tabs of one origin. */
const FALLBACK_KEY = "agentflow.clipboard";

function readFallback(): string | null {
  try {
    return window.localStorage.getItem(FALLBACK_KEY);
  } catch {
    return null; // storage disabled (private mode, sandboxed frame)
  }
}

function writeFallback(text: string): void {
  try {
    window.localStorage.setItem(FALLBACK_KEY, text);
  } catch {
    // Storage full or disabled: the system clipboard is all we have.
  }
}

/** The last copy could not reach the system clipboard, so whatever text is there is not ours. */
let systemWriteFailed = false;

export async function writeClipboard(payload: ClipboardPayload): Promise<void> {
  const text = JSON.stringify(payload);
  writeFallback(text);
  try {
    await navigator.clipboard.writeText(text);
    systemWriteFailed = false;
  } catch {
    // No permission (or no focus): the fallback copy above is what Paste will find.
    systemWriteFailed = true;
  }
}

export async function readClipboard(): Promise<ClipboardPayload | null> {
  let text: string | null;
  try {
    text = await navigator.clipboard.readText();
  } catch {
    // Reading needs a permission the user (or a headless browser) may not give.
    text = null;
  }
  const fromSystem = text === null ? null : parseClipboard(text);
  if (fromSystem) return fromSystem;
  // Other text on the system clipboard means the user copied something since; paste it only
  // if our own copy never got there.
  if (text !== null && !systemWriteFailed) return null;
  const fallback = readFallback();
  return fallback === null ? null : parseClipboard(fallback);
}

/** A label's name without its number: "Agent 3" → "Agent". */
function baseOfLabel(label: string): string {
  return /^(.*\S)\s+\d+$/.exec(label)?.[1] ?? label;
}

/** The graph schema's limit on a label's length; a numbered copy's name must stay within it. */
const LABEL_MAX = 120;

/**
 * The payload with each node's label made unique in the graph it goes into, so a copy never
 * reads like its original: "Agent" becomes "Agent 2", then "Agent 3" on the next paste (the
 * first free number after the base name). A label nobody in the graph uses stays as it is.
 */
export function withFreshLabels(payload: ClipboardPayload, existingLabels: Iterable<string>): ClipboardPayload {
  const taken = new Set(existingLabels);
  const nodes = payload.nodes.map((node) => {
    const label = node.data.label;
    if (!taken.has(label)) {
      taken.add(label);
      return node;
    }
    const base = baseOfLabel(label);
    let number = 2;
    const numbered = (n: number) => `${base.slice(0, LABEL_MAX - ` ${n}`.length)} ${n}`;
    while (taken.has(numbered(number))) number += 1;
    const fresh = numbered(number);
    taken.add(fresh);
    return { ...node, data: { ...node.data, label: fresh } } as typeof node;
  });
  return { ...payload, nodes };
}
