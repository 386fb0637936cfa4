import { z } from "zod";
import { recordAudit } from "../audit/audit";
import { isProviderKind as isKind, PROVIDER_KINDS, PROVIDER_KIND_LABELS, type ProviderKind as WorkspaceProviderKind } from "../../lib/provider-kinds";
import type { Db } from "../db";
import { getEnv, type Env } from "../env";
import { NotFoundError, UserInputError } from "../errors";
import { newId } from "../ids";
import { appSecret } from "../auth/app-secrets";
import type { WorkspaceAccess } from "../auth/access";
import { decryptSecret, encryptSecret } from "../vault/cipher";
import { httpRequest, vetUrl } from "../tools/http-request";
import { normalizeHost } from "../tools/address-policy";
import { configuredProviders, type ProviderConfig } from "./providers";
import { invalidateEverywhere, processCache } from "../ops/process-cache";

/**
 * Model providers a workspace configures in Settings → Model providers. Agents name one
 * (`provider: "my-vllm"`); the worker resolves that name within the run's workspace: the
 * workspace's own providers first, then those the environment configures (the default for
 * headless setups), then the built-in demo model. The API key is sealed with the vault key,
 * bound to its row, and never leaves this module towards a client ("set" / "not set").
 */

export type { ProviderKind as WorkspaceProviderKind } from "../../lib/provider-kinds";


/** "default" means "the first configured provider"; it cannot be a provider's own name. */
const RESERVED_NAMES = new Set(["default"]);
export const PROVIDER_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;

const DEFAULT_COLD_START_SECONDS = 180;
const TEST_TIMEOUT_MS = 10_000;
const MODEL_LIST_TTL_MS = 60_000;

/** On update: absent keeps the stored value, "" clears it. */
const optionalText = (max: number) => z.string().trim().max(max).optional();

export const providerFieldsSchema = z.object({
  baseUrl: optionalText(500),
  /** Write-only. On update: absent keeps the stored key, "" removes it. */
  apiKey: z.string().trim().max(4000).optional(),
  organization: optionalText(200),
  runpodEndpointId: z
    .string()
    .trim()
    .max(100)
    .regex(/^[A-Za-z0-9_-]*$/, "Use the endpoint id only (letters, digits, - or _)")
    .optional(),
  coldStartTimeoutSeconds: z.number().int().min(1).max(900).nullable().optional(),
  usdPerSecond: z.number().min(0).max(100).nullable().optional(),
  defaultModel: optionalText(200),
});

export const createProviderSchema = providerFieldsSchema.extend({
  name: z.string().trim().regex(PROVIDER_NAME_PATTERN, "Use a lowercase letter, then lowercase letters, digits, - or _ (at most 40)"),
  kind: z.enum(PROVIDER_KINDS),
});

export const updateProviderSchema = providerFieldsSchema.extend({ id: z.string().min(1).max(100) });

type ProviderRow = {
  id: string;
  workspaceId: string;
  name: string;
  kind: string;
  baseUrl: string;
  sealedApiKey: string | null;
  organization: string | null;
  runpodEndpointId: string | null;
  coldStartTimeoutSeconds: number | null;
  usdPerSecond: number | null;
  defaultModel: string;
  createdAt: Date;
};

/** The vault key of credentials; the AAD (kind, workspace, row) keeps a sealed key from opening anywhere else. */
function aad(workspaceId: string, providerId: string): string {
  return `model-provider:${workspaceId}:${providerId}`;
}

function sealKey(workspaceId: string, providerId: string, apiKey: string): string {
  return encryptSecret(appSecret("credentials:v1"), apiKey, aad(workspaceId, providerId));
}

function openKey(row: ProviderRow): string {
  return row.sealedApiKey ? decryptSecret(appSecret("credentials:v1"), row.sealedApiKey, aad(row.workspaceId, row.id)) : "";
}


export function runpodBaseUrl(endpointId: string): string {
  return `https://api.runpod.ai/v2/${endpointId}/openai/v1`;
}

/** The OpenAI-style API root a provider's requests go to (`…/v1`). */
export function apiBaseUrl(row: Pick<ProviderRow, "kind" | "baseUrl" | "runpodEndpointId">): string {
  const base = row.baseUrl.replace(/\/+$/, "");
  switch (row.kind) {
    case "openai":
      return base || "https://api.openai.com/v1";
    case "anthropic":
      return base || "https://api.anthropic.com/v1";
    case "runpod":
      return runpodBaseUrl(row.runpodEndpointId ?? "");
    case "ollama":
      // Ollama's OpenAI-compatible API lives under /v1 of the server's address.
      return base.endsWith("/v1") ? base : `${base}/v1`;
    default:
      return base;
  }
}

type ProviderFields = z.infer<typeof providerFieldsSchema>;

/** Checks the fields a kind needs; names the bad field (the form shows it there). */
function checkFields(kind: WorkspaceProviderKind, fields: ProviderFields, hasStoredKey: boolean): void {
  const keyWillBeSet = fields.apiKey === undefined ? hasStoredKey : fields.apiKey !== "";
  if ((kind === "openai" || kind === "anthropic" || kind === "runpod") && !keyWillBeSet) {
    throw new UserInputError(`An API key is required for ${PROVIDER_KIND_LABELS[kind]}`, "apiKey");
  }
  if (kind === "runpod" && !fields.runpodEndpointId) throw new UserInputError("The RunPod endpoint id is required", "runpodEndpointId");
  if ((kind === "ollama" || kind === "openai_compatible") && !fields.baseUrl) {
    throw new UserInputError(`The base URL is required for ${PROVIDER_KIND_LABELS[kind]}`, "baseUrl");
  }
  if (fields.baseUrl) {
    let url: URL;
    try {
      url = new URL(fields.baseUrl);
    } catch {
      throw new UserInputError("The base URL is not a valid URL (e.g. http://localhost:8000/v1)", "baseUrl");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new UserInputError("The base URL must start with http:// or https://", "baseUrl");
    if (url.username || url.password) throw new UserInputError("Put the key in the API key field, not in the URL", "baseUrl");
  }
}

/** What a client may see of a provider: never the key. */
export type PublicProvider = {
  id: string;
  name: string;
  kind: WorkspaceProviderKind;
  /** As entered (may be empty when derived). */
  baseUrl: string;
  /** Where requests go. */
  apiBaseUrl: string;
  apiKeySet: boolean;
  organization: string | null;
  runpodEndpointId: string | null;
  coldStartTimeoutSeconds: number | null;
  usdPerSecond: number | null;
  defaultModel: string;
  createdAt: Date;
  /** False with the reason for kinds runs cannot use yet. */
  unsupported: string | null;
};

function toPublic(row: ProviderRow): PublicProvider {
  const kind = isKind(row.kind) ? row.kind : "openai_compatible";
  return {
    id: row.id,
    name: row.name,
    kind,
    baseUrl: row.baseUrl,
    apiBaseUrl: apiBaseUrl(row),
    apiKeySet: row.sealedApiKey !== null,
    organization: row.organization,
    runpodEndpointId: row.runpodEndpointId,
    coldStartTimeoutSeconds: row.coldStartTimeoutSeconds,
    usdPerSecond: row.usdPerSecond,
    defaultModel: row.defaultModel,
    createdAt: row.createdAt,
    unsupported: null,
  };
}

/**
 * Each workspace's provider rows (keys sealed), read by every model call and run start of its
 * agents: cached per process, dropped everywhere when a provider changes (server/ops/process-cache.ts).
 */
const PROVIDER_ROWS_CACHE = "model-provider-rows";
const providerRows = processCache<readonly ProviderRow[]>(PROVIDER_ROWS_CACHE, { ttlMs: 10_000, maxEntries: 10_000 });

async function rowsOf(db: Db, workspaceId: string): Promise<readonly ProviderRow[]> {
  const rows = await providerRows.getOrLoad(workspaceId, () => db.modelProvider.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "asc" }, { name: "asc" }] }));
  return rows ?? [];
}

export async function listWorkspaceProviders(db: Db, workspaceId: string): Promise<PublicProvider[]> {
  return (await rowsOf(db, workspaceId)).map(toPublic);
}

/** One entry of the agent inspector's Provider select. */
export type ProviderChoice = {
  name: string;
  label: string;
  source: "workspace" | "environment" | "built_in";
  kind: string;
  defaultModel: string;
  unsupported: string | null;
  /**
   * Whether the provider's model list is the whole truth, so a name it does not list is
   * refused before a run. OpenAI-compatible servers (LiteLLM routes, aliases) may accept
   * names they do not list; the environment's providers are the operator's and not checked.
   */
  modelsComplete: boolean;
};

const COMPLETE_MODEL_LISTS: ReadonlySet<string> = new Set<WorkspaceProviderKind>(["openai", "anthropic", "ollama", "runpod"]);

/**
 * Every provider name an agent may use in this workspace, in resolution order, and what
 * "default" resolves to (the first supported one).
 */
export async function providerChoices(db: Db, workspaceId: string, env: Env = getEnv()): Promise<{ choices: ProviderChoice[]; defaultName: string }> {
  const own = await listWorkspaceProviders(db, workspaceId);
  const choices: ProviderChoice[] = own.map((provider) => ({
    name: provider.name,
    label: `${provider.name} (${PROVIDER_KIND_LABELS[provider.kind]})`,
    source: "workspace",
    kind: provider.kind,
    defaultModel: provider.defaultModel,
    unsupported: provider.unsupported,
    modelsComplete: COMPLETE_MODEL_LISTS.has(provider.kind),
  }));
  const taken = new Set(own.map((provider) => provider.name));
  for (const provider of configuredProviders(env)) {
    if (taken.has(provider.id)) continue;
    choices.push({
      name: provider.id,
      label: provider.kind === "demo" ? "Demo model (built in)" : `${provider.id} (from the server's environment)`,
      source: provider.kind === "demo" ? "built_in" : "environment",
      kind: provider.kind,
      defaultModel: provider.defaultModel,
      unsupported: null,
      modelsComplete: false,
    });
  }
  const first = choices.find((choice) => choice.unsupported === null);
  return { choices, defaultName: first?.name ?? "demo" };
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "P2002";
}

/** A provider's settings as the audit trail records them: every column but the sealed key. */
function auditedColumns(columns: ReturnType<typeof columnsFor>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== null && value !== ""));
}

/** The stored columns for `fields` of a `kind`: fields the kind does not use are cleared. */
function columnsFor(kind: WorkspaceProviderKind, fields: ProviderFields) {
  const text = (value: string | undefined) => (value ? value : null);
  return {
    baseUrl: kind === "runpod" ? "" : (fields.baseUrl ?? ""),
    organization: kind === "openai" ? text(fields.organization) : null,
    runpodEndpointId: kind === "runpod" ? text(fields.runpodEndpointId) : null,
    coldStartTimeoutSeconds: kind === "runpod" ? (fields.coldStartTimeoutSeconds ?? DEFAULT_COLD_START_SECONDS) : null,
    usdPerSecond: kind === "runpod" ? (fields.usdPerSecond ?? null) : null,
    defaultModel: fields.defaultModel ?? "",
  };
}

export async function createWorkspaceProvider(db: Db, access: WorkspaceAccess, raw: z.input<typeof createProviderSchema>) {
  const input = createProviderSchema.parse(raw);
  if (RESERVED_NAMES.has(input.name)) throw new UserInputError(`"${input.name}" is reserved; choose another name`, "name");
  checkFields(input.kind, input, false);
  // Same shape as server/ids.ts ids; "prov" is not among its prefixes (a file this change does not own).
  const id = newId("prov");
  const columns = columnsFor(input.kind, input);
  try {
    await db.$transaction(async (tx) => {
      await tx.modelProvider.create({
        data: {
          id,
          workspaceId: access.workspaceId,
          name: input.name,
          kind: input.kind,
          ...columns,
          sealedApiKey: input.apiKey ? sealKey(access.workspaceId, id, input.apiKey) : null,
          createdById: access.actor.kind === "user" ? access.actor.id : null,
        },
      });
      // What changed, never the key itself: only whether one is set.
      await recordAudit(tx, access, "model_provider.created", { kind: "model_provider", id, name: input.name }, { kind: input.kind, ...auditedColumns(columns), apiKey: input.apiKey ? "set" : "none" });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new UserInputError(`A provider named "${input.name}" already exists`, "name");
    throw error;
  }
  await providersChanged(access.workspaceId);
  return { id, name: input.name };
}

async function rowIn(db: Db, workspaceId: string, id: string): Promise<ProviderRow> {
  const row = await db.modelProvider.findFirst({ where: { id, workspaceId } });
  if (!row) throw new NotFoundError(`Model provider ${id}`);
  return row;
}

/** The name and kind stay (agents refer to the name). A field left out keeps its value; "" clears it. */
export async function updateWorkspaceProvider(db: Db, access: WorkspaceAccess, raw: z.input<typeof updateProviderSchema>) {
  const input = updateProviderSchema.parse(raw);
  const row = await rowIn(db, access.workspaceId, input.id);
  const kind = isKind(row.kind) ? row.kind : "openai_compatible";
  const merged: ProviderFields = {
    baseUrl: input.baseUrl ?? row.baseUrl,
    apiKey: input.apiKey,
    organization: input.organization ?? row.organization ?? undefined,
    runpodEndpointId: input.runpodEndpointId ?? row.runpodEndpointId ?? undefined,
    coldStartTimeoutSeconds: input.coldStartTimeoutSeconds === undefined ? row.coldStartTimeoutSeconds : input.coldStartTimeoutSeconds,
    usdPerSecond: input.usdPerSecond === undefined ? row.usdPerSecond : input.usdPerSecond,
    defaultModel: input.defaultModel ?? row.defaultModel,
  };
  checkFields(kind, merged, row.sealedApiKey !== null);
  const columns = columnsFor(kind, merged);
  await db.$transaction(async (tx) => {
    await tx.modelProvider.update({
      where: { id: row.id },
      data: {
        ...columns,
        ...(input.apiKey !== undefined ? { sealedApiKey: input.apiKey ? sealKey(row.workspaceId, row.id, input.apiKey) : null } : {}),
      },
    });
    const apiKey = input.apiKey === undefined ? "kept" : input.apiKey ? "replaced" : "removed";
    await recordAudit(tx, access, "model_provider.updated", { kind: "model_provider", id: row.id, name: row.name }, { ...auditedColumns(columns), apiKey });
  });
  await providersChanged(access.workspaceId);
  return { ok: true as const };
}

export async function deleteWorkspaceProvider(db: Db, access: WorkspaceAccess, id: string) {
  const row = await rowIn(db, access.workspaceId, id);
  await db.$transaction(async (tx) => {
    await tx.modelProvider.delete({ where: { id: row.id } });
    await recordAudit(tx, access, "model_provider.deleted", { kind: "model_provider", id: row.id, name: row.name }, { kind: row.kind });
  });
  await providersChanged(access.workspaceId);
  return { ok: true as const };
}

/** A provider that cannot be used; retrying the call cannot help (the run fails at once). */
export class ProviderUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProviderUnavailableError";
  }
}

function configOf(row: ProviderRow): ProviderConfig {
  const kind = isKind(row.kind) ? row.kind : "openai_compatible";
  const coldStartMs = (row.coldStartTimeoutSeconds ?? DEFAULT_COLD_START_SECONDS) * 1000;
  return {
    id: row.name,
    kind,
    cacheKey: `workspace:${row.workspaceId}:${row.id}`,
    baseURL: apiBaseUrl(row),
    // The openai client insists on a key; servers without auth ignore it.
    apiKey: openKey(row) || "none",
    defaultModel: row.defaultModel || "default",
    pricing: kind === "runpod" && row.usdPerSecond !== null ? { kind: "per_second", usdPerSecond: row.usdPerSecond } : { kind: "per_token" },
    timeoutMs: kind === "runpod" ? coldStartMs : kind === "ollama" ? 120_000 : 60_000,
    ...(row.organization ? { organization: row.organization } : {}),
  };
}

function envProvider(requested: string, env: Env): ProviderConfig | undefined {
  const providers = configuredProviders(env);
  if (requested === "default" || requested === "") return providers[0];
  return providers.find((provider) => provider.id === requested);
}

/**
 * The provider an agent's `provider` names, in `workspaceId`: the workspace's own, then the
 * environment's, then the demo model. "default" is the workspace's first usable provider,
 * else the environment's default (unchanged for a workspace that configures none).
 * Throws ProviderUnavailableError when the name is unknown or its kind cannot run.
 */
export async function resolveWorkspaceProvider(db: Db, workspaceId: string, requested: string, env: Env = getEnv()): Promise<ProviderConfig> {
  const rows = await rowsOf(db, workspaceId);
  const isDefault = requested === "default" || requested === "";
  const row = isDefault ? rows[0] : rows.find((candidate) => candidate.name === requested);
  if (row) return configOf(row);
  const fromEnv = envProvider(requested, env);
  if (fromEnv) return fromEnv;
  const available = [...rows.map((candidate) => candidate.name), ...configuredProviders(env).map((provider) => provider.id)];
  throw new ProviderUnavailableError(`Provider "${requested}" is not configured in this workspace (available: ${[...new Set(available)].join(", ")})`);
}

/** Why each named provider cannot be used here (unknown or unsupported), for the start check. */
export function unusableProviders(choices: readonly ProviderChoice[], names: readonly string[]): Map<string, string> {
  const problems = new Map<string, string>();
  for (const name of new Set(names)) {
    if (name === "default" || name === "") continue;
    const choice = choices.find((candidate) => candidate.name === name);
    if (!choice) problems.set(name, `Provider "${name}" is not configured in this workspace (Settings → Model providers)`);
    else if (choice.unsupported) problems.set(name, `Provider "${name}": ${choice.unsupported}`);
  }
  return problems;
}

/** HTTP_ALLOW_PRIVATE_HOSTS: loopback servers in tests; empty (no private hosts) in production. */
function privateHostsAllowed(env: Env): string[] {
  return env.HTTP_ALLOW_PRIVATE_HOSTS.split(",").map((host) => host.trim()).filter(Boolean);
}

/**
 * A workspace provider's address is chosen by a workspace admin, not by the operator: it
 * must not point into the worker's own network (cloud metadata, internal services) unless
 * the operator allows the host. Environment providers are the operator's own and not checked.
 */
export async function checkProviderAddress(provider: ProviderConfig, env: Env = getEnv()): Promise<void> {
  if (!provider.cacheKey.startsWith("workspace:")) return;
  const url = new URL(provider.baseURL);
  const vetted = await vetUrl(url, { allowPrivateHosts: privateHostsAllowed(env) });
  if (!vetted.ok) throw new ProviderUnavailableError(`Could not reach ${url.host}: ${vetted.error}`);
}

export type ConnectionResult = { ok: true; models: string[] } | { ok: false; error: string };

/** GET <base>/models with the key, through the SSRF-aware client: the models, or why not in plain words. */
export async function testConnection(provider: ProviderConfig, env: Env = getEnv()): Promise<ConnectionResult> {
  const url = `${provider.baseURL.replace(/\/+$/, "")}/models`;
  const host = new URL(url).host;
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "AgentFlow model provider check" };
  if (provider.kind === "anthropic") {
    // Anthropic's own auth headers; its model list has the same { data: [{ id }] } shape.
    headers["x-api-key"] = provider.apiKey;
    headers["anthropic-version"] = "2023-06-01";
  } else if (provider.apiKey && provider.apiKey !== "none") headers.authorization = `Bearer ${provider.apiKey}`;
  if (provider.organization) headers["openai-organization"] = provider.organization;
  // The environment's providers are the operator's own (Ollama on localhost, the demo model):
  // their host is trusted. A workspace's goes through the private-address rule.
  const fromEnvironment = !provider.cacheKey.startsWith("workspace:");
  const allowPrivateHosts = fromEnvironment ? [normalizeHost(new URL(url).hostname)] : privateHostsAllowed(env);
  const response = await httpRequest(
    { url, method: "GET", headers, timeoutMs: TEST_TIMEOUT_MS },
    { allowPrivateHosts, redactText: (text) => (provider.apiKey ? text.split(provider.apiKey).join("[key]") : text) },
  );
  if (!response.ok) {
    if (response.error.startsWith("timeout")) {
      return { ok: false, error: `Timed out after ${TEST_TIMEOUT_MS / 1000} s${provider.kind === "runpod" ? " (a RunPod worker may be cold-starting)" : ""}` };
    }
    return { ok: false, error: `Could not reach ${host}: ${plainNetworkError(response.error)}` };
  }
  if (response.status === 401 || response.status === 403) return { ok: false, error: `The key was refused (${response.status})` };
  if (response.status === 404) return { ok: false, error: "Not found — check the base URL" };
  if (response.status >= 500) return { ok: false, error: `The server answered ${response.status} ${response.statusText}; try again later` };
  if (response.status >= 400) return { ok: false, error: `The server refused the request (${response.status} ${response.statusText})` };
  try {
    const body = JSON.parse(response.body) as { data?: unknown; models?: unknown };
    const list = Array.isArray(body.data) ? body.data : Array.isArray(body.models) ? body.models : null;
    if (!list) return { ok: false, error: "The server answered, but not with a list of models — check the base URL" };
    const models = list.flatMap((entry: unknown) => {
      const id = entry && typeof entry === "object" ? ((entry as { id?: unknown }).id ?? (entry as { name?: unknown }).name) : undefined;
      return typeof id === "string" ? [id] : [];
    });
    return { ok: true, models: models.sort() };
  } catch {
    return { ok: false, error: "The server answered, but not with JSON — check the base URL" };
  }
}

/** Socket error codes in words a person setting up a server recognises. */
function plainNetworkError(error: string): string {
  const detail = error.replace(/^request failed: /, "");
  if (/ECONNREFUSED/.test(detail)) return "connection refused (is the server running on that port?)";
  if (/ENOTFOUND|EAI_AGAIN/.test(detail)) return "the host name does not resolve";
  if (/ECONNRESET|socket hang up/.test(detail)) return "the connection was closed by the server";
  if (/CERT|SSL|TLS/i.test(detail)) return `TLS error (${detail})`;
  return detail;
}

/** Test connection of a saved provider (Settings → Model providers). */
export async function testWorkspaceProvider(db: Db, workspaceId: string, id: string, env: Env = getEnv()): Promise<ConnectionResult> {
  const row = await rowIn(db, workspaceId, id);
  const result = await testConnection(configOf(row), env);
  if (result.ok) modelLists.set(`${workspaceId}|${row.name}`, { at: Date.now(), result });
  return result;
}

const modelLists = new Map<string, { at: number; result: ConnectionResult }>();

/** After a provider of the workspace was created, changed or deleted (and committed). */
async function providersChanged(workspaceId: string): Promise<void> {
  for (const key of modelLists.keys()) if (key.startsWith(`${workspaceId}|`)) modelLists.delete(key);
  await invalidateEverywhere(PROVIDER_ROWS_CACHE);
}

/**
 * The models a provider offers, for the inspector's model combobox; cached for a minute per
 * workspace and name, so opening inspectors does not hammer the provider.
 */
export async function providerModels(db: Db, workspaceId: string, name: string, env: Env = getEnv()): Promise<ConnectionResult> {
  const key = `${workspaceId}|${name}`;
  const cached = modelLists.get(key);
  if (cached && Date.now() - cached.at < MODEL_LIST_TTL_MS) return cached.result;
  let result: ConnectionResult;
  try {
    const provider = await resolveWorkspaceProvider(db, workspaceId, name, env);
    result = await testConnection(provider, env);
  } catch (error) {
    if (!(error instanceof ProviderUnavailableError)) throw error;
    result = { ok: false, error: error.message };
  }
  modelLists.set(key, { at: Date.now(), result });
  return result;
}
