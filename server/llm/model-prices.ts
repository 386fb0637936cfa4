import { z } from "zod";
import type { WorkspaceAccess } from "../auth/access";
import type { Db } from "../db";
import { NotFoundError } from "../errors";
import { newId } from "../ids";
import { recordAudit } from "../audit/audit";
import type { ProviderConfig } from "./providers";
import { LIST_PRICES, PRICES_CHECKED_ON, priceCall, type TokenPrice } from "./prices";
import { invalidateEverywhere, processCache } from "../ops/process-cache";

/** A workspace's prices per model (Settings → Model prices), and the price of each model call. */

/** USD per million tokens: a price is at least 0 (a free model) and at most what no model costs. */
const perMTok = z.number().finite().min(0, "must be 0 or more").max(10_000, "must be at most 10000 (USD per million tokens)");

export const setModelPriceSchema = z.object({
  model: z.string().trim().min(1, "Name the model").max(200),
  inputPerMTok: perMTok,
  outputPerMTok: perMTok,
});
export type SetModelPriceInput = z.infer<typeof setModelPriceSchema>;

export type ModelPriceRow = { id: string; model: string; inputPerMTok: number; outputPerMTok: number; updatedAt: Date };

export async function listModelPrices(db: Db, workspaceId: string) {
  const overrides: ModelPriceRow[] = await db.modelPrice.findMany({
    where: { workspaceId },
    orderBy: { model: "asc" },
    select: { id: true, model: true, inputPerMTok: true, outputPerMTok: true, updatedAt: true },
  });
  const listPrices = Object.entries(LIST_PRICES).map(([model, price]) => ({ model, ...price }));
  return { overrides, listPrices, listCheckedOn: PRICES_CHECKED_ON };
}

/** Sets the workspace's price for a model (one per model: setting it again replaces it). */
export async function setModelPrice(db: Db, access: WorkspaceAccess, input: SetModelPriceInput): Promise<ModelPriceRow> {
  const updatedById = access.actor.kind === "user" ? access.actor.id : null;
  const prices = { inputPerMTok: input.inputPerMTok, outputPerMTok: input.outputPerMTok };
  const row = await db.modelPrice.upsert({
    where: { workspaceId_model: { workspaceId: access.workspaceId, model: input.model } },
    create: { id: modelPriceId(), workspaceId: access.workspaceId, model: input.model, ...prices, updatedById },
    update: { ...prices, updatedById, updatedAt: new Date() },
    select: { id: true, model: true, inputPerMTok: true, outputPerMTok: true, updatedAt: true },
  });
  await invalidateEverywhere(MODEL_PRICES_CACHE);
  await recordAudit(db, access, "model_price.set", { kind: "model_price", id: row.id, name: row.model }, prices);
  return row;
}

function modelPriceId(): string {
  return newId("mp");
}

export async function deleteModelPrice(db: Db, access: WorkspaceAccess, id: string): Promise<void> {
  const { count } = await db.modelPrice.deleteMany({ where: { id, workspaceId: access.workspaceId } });
  if (count === 0) throw new NotFoundError(`Model price ${id}`);
  await invalidateEverywhere(MODEL_PRICES_CACHE);
  await recordAudit(db, access, "model_price.deleted", { kind: "model_price", id });
}

/** A workspace's price of a model (or none), read by every model call: cached per process, dropped everywhere when a price changes. */
const MODEL_PRICES_CACHE = "model-prices";
const workspacePrices = processCache<TokenPrice | null>(MODEL_PRICES_CACHE, { ttlMs: 10_000, maxEntries: 10_000 });

async function workspacePrice(db: Db, workspaceId: string, model: string): Promise<TokenPrice | null> {
  const price = await workspacePrices.getOrLoad(`${workspaceId} ${model}`, () =>
    db.modelPrice.findUnique({
      where: { workspaceId_model: { workspaceId, model } },
      select: { inputPerMTok: true, outputPerMTok: true },
    }),
  );
  return price ?? null;
}

/**
 * The cost of one model call in USD, or null when its price is unknown. The workspace's own
 * price for the model wins; without a workspace (headless callers) only the list is used.
 */
export async function priceModelCall(
  provider: Pick<ProviderConfig, "kind" | "pricing">,
  model: string,
  usage: { promptTokens: number; completionTokens: number },
  latencyMs: number,
  workspace?: { db: Db; workspaceId: () => Promise<string> },
): Promise<number | null> {
  const call = { providerKind: provider.kind, billing: provider.pricing, model, usage, latencyMs };
  if (!workspace) return priceCall(call);
  try {
    return priceCall(call, await workspacePrice(workspace.db, await workspace.workspaceId(), model));
  } catch {
    // The reply is paid for and must be kept: without the workspace's price, the cost is unknown.
    return null;
  }
}
