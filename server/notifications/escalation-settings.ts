import type { Db } from "../db";
import { humanDataSchema } from "../engine/graph";
import type { Role } from "../auth/roles";

/**
 * A human node's escalation settings, read from the run's pinned (immutable) version. Versions
 * never change, so each worker keeps what it read, bounded, oldest out.
 */
export type Escalation = { afterSeconds: number; to: Extract<Role, "operator" | "editor" | "admin" | "owner"> };

const byVersion = new Map<string, Map<string, Escalation>>();
const MAX_CACHED_VERSIONS = 200;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

async function versionEscalations(db: Pick<Db, "workflowVersion">, versionId: string): Promise<Map<string, Escalation>> {
  const cached = byVersion.get(versionId);
  if (cached) return cached;
  const version = await db.workflowVersion.findUnique({ where: { id: versionId }, select: { graph: true } });
  const found = new Map<string, Escalation>();
  const nodes = isRecord(version?.graph) && Array.isArray(version.graph.nodes) ? version.graph.nodes : [];
  for (const node of nodes) {
    if (!isRecord(node) || node.type !== "human" || typeof node.id !== "string") continue;
    const data = humanDataSchema.safeParse(node.data ?? {});
    if (data.success && data.data.escalateAfterSeconds > 0) found.set(node.id, { afterSeconds: data.data.escalateAfterSeconds, to: data.data.escalateTo });
  }
  if (byVersion.size >= MAX_CACHED_VERSIONS) byVersion.delete(byVersion.keys().next().value as string);
  byVersion.set(versionId, found);
  return found;
}

/** The node's escalation, or null when it has none (or is not a human node: an agent's tool approval). */
export async function escalationOf(db: Pick<Db, "workflowVersion">, versionId: string, nodeId: string): Promise<Escalation | null> {
  return (await versionEscalations(db, versionId)).get(nodeId) ?? null;
}
