import type { Effect } from "../engine/decide";
import type { GraphNode } from "../engine/graph";
import type { ArgumentPath, CredentialSlot } from "../engine/template";
import type { CarriedCredentials } from "../tools/http-request";
import { credentialHeaders, credentialTemplateValue, CredentialUsageError, secretValues } from "./credential-kinds";
import type { ResolvedCredential } from "./credential-store";
import { CREDENTIAL_NAME, findCredentialRefs, InvalidCredentialReferenceError, substituteCredentialRefs, UnknownCredentialError } from "./templates";

/**
 * Which credentials one tool call may use, and the call with their values in it — the worker's
 * side of `{{credentials.<name>}}` and http_request's `credential` argument.
 *
 * Closed by default: a call resolves only names its node's BUILDER allowed — for a tool node,
 * the names written in its own arguments (plus a `credential` argument written there as a
 * literal); for an agent, its `credentials` list. A name that reaches a call through run data
 * (the run's input, a model's reply, a previous tool's result) could otherwise pick any
 * credential of the workspace, so it is refused unless the builder allowed it anyway.
 *
 * Where values go: in a tool node's own arguments, exactly where the builder wrote the
 * references (the engine's credential slots) — text that run data spliced in is never
 * substituted, whatever it says. In arguments that are data as a whole (a model's call, a
 * reviewer's edit), references anywhere in the URL, header values and body are substituted,
 * each checked against the allowlist. Only http_request sends credentials.
 */

type ToolCall = Extract<Effect, { kind: "call_tool" }>;
type Refusal = { ok: false; error: string };

export type CredentialPlan = {
  /** Every credential the call uses, each once. */
  names: string[];
  /** The http_request `credential` argument. */
  picked?: string;
};

export type PreparedCall = {
  args: unknown;
  /** What the HTTP client must know about the credentials it carries (absent: none). */
  carried?: CarriedCredentials;
  /** Every string to redact from the call's outcome. */
  secrets: string[];
};

/** The names the builder allowed for calls made by this node. */
export function allowedCredentialNames(node: GraphNode | undefined): ReadonlySet<string> {
  if (node?.type === "agent") return new Set(node.data.credentials);
  if (node?.type !== "tool") return new Set();
  const names = new Set<string>();
  try {
    for (const name of findCredentialRefs(node.data.arguments)) names.add(name);
  } catch {
    // A malformed reference is a validation error: the run could not have started with it.
  }
  const literal = literalCredentialArgument(node.data.arguments);
  if (literal) names.add(literal);
  return names;
}

/** `"credential": "github"` as the builder typed it — not a template that run data fills in. */
function literalCredentialArgument(argumentsText: string): string | null {
  try {
    const parsed: unknown = JSON.parse(argumentsText.trim() === "" ? "{}" : argumentsText);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    const value = (parsed as Record<string, unknown>).credential;
    return typeof value === "string" && CREDENTIAL_NAME.test(value) ? value : null;
  } catch {
    return null;
  }
}

/** The credentials `call` would use, or why it may not use them. Pure: nothing is resolved yet. */
export function planCredentials(call: ToolCall, node: GraphNode | undefined): ({ ok: true } & CredentialPlan) | Refusal {
  const slots = call.credentialSlots;
  if (call.name !== "http_request") {
    if (slots && slots.length > 0) return refuse(`credentials are only resolved in http_request arguments, not in ${call.name}'s`);
    // In data (a model's arguments), a reference to a credential is just text for this tool.
    return { ok: true, names: [] };
  }
  const args = httpArgs(call.args);
  const names = new Set<string>();
  if (slots) {
    for (const slot of slots) for (const part of slot.parts) if (typeof part !== "string") names.add(part.credential);
  } else {
    try {
      for (const text of httpTexts(args)) for (const name of findCredentialRefs(text)) names.add(name);
    } catch (error) {
      if (error instanceof InvalidCredentialReferenceError) return refuse(error.message);
      throw error;
    }
  }
  const picked = typeof args.credential === "string" ? args.credential : undefined;
  if (picked !== undefined) names.add(picked);

  const allowed = allowedCredentialNames(node);
  for (const name of names) {
    if (allowed.has(name)) continue;
    return refuse(
      node?.type === "agent"
        ? `credential "${name}" is not allowed for this agent; the builder can add it to the agent's credentials`
        : `credential "${name}" is not allowed here: a tool node uses only the credentials written in its own arguments`,
    );
  }
  return { ok: true, names: [...names], ...(picked !== undefined ? { picked } : {}) };
}

/**
 * The call's arguments with the credentials' values in place, what the HTTP client must
 * enforce, and what to redact. Every message names credentials, never a value.
 */
export function applyCredentials(call: ToolCall, plan: CredentialPlan, resolved: ReadonlyMap<string, ResolvedCredential>): ({ ok: true } & PreparedCall) | Refusal {
  if (plan.names.length === 0) return { ok: true, args: call.args, secrets: [] };
  const secrets: string[] = [];
  for (const name of plan.names) {
    const credential = resolved.get(name);
    if (!credential) return refuse(`credential "${name}" does not exist in this workspace`);
    secrets.push(...secretValues(credential.secret));
  }
  const valueOf = (name: string): string => {
    const credential = resolved.get(name);
    if (!credential) throw new CredentialUsageError(`credential "${name}" does not exist in this workspace`);
    return credentialTemplateValue(credential.secret, name);
  };
  try {
    const args = call.credentialSlots ? fillSlots(call.args, call.credentialSlots, valueOf) : fillData(call.args, valueOf);
    const pickedCredential = plan.picked === undefined ? undefined : resolved.get(plan.picked);
    const carried: CarriedCredentials = {
      names: plan.names,
      ...(pickedCredential ? { picked: { name: pickedCredential.name, headers: credentialHeaders(pickedCredential.secret, pickedCredential.name) } } : {}),
      allowedHosts: plan.names.map((name) => ({ name, hosts: resolved.get(name)?.allowedHosts ?? [] })),
    };
    return { ok: true, args, carried, secrets };
  } catch (error) {
    // Only our own errors, which name credentials and never values, become the call's result.
    if (error instanceof CredentialUsageError || error instanceof SlotMismatchError || error instanceof UnknownCredentialError) return refuse(error.message);
    // Anything else is a bug; its message could hold a value, so it is not passed on.
    return refuse("internal error: the credentials could not be applied to the call");
  }
}

type HttpArgs = { url?: unknown; headers?: unknown; body?: unknown; credential?: unknown };

function httpArgs(args: unknown): HttpArgs {
  return args !== null && typeof args === "object" && !Array.isArray(args) ? (args as HttpArgs) : {};
}

/** The texts of an http_request call where a credential may be written: URL, header values, body. */
function httpTexts(args: HttpArgs): string[] {
  const texts: string[] = [];
  if (typeof args.url === "string") texts.push(args.url);
  if (typeof args.body === "string") texts.push(args.body);
  if (args.headers !== null && typeof args.headers === "object") {
    for (const value of Object.values(args.headers)) if (typeof value === "string") texts.push(value);
  }
  return texts;
}

/** Arguments that are data as a whole: every reference in the URL, header values and body. */
function fillData(args: unknown, valueOf: (name: string) => string): unknown {
  const http = httpArgs(args);
  const fill = (text: string) => substituteCredentialRefs(text, valueOf);
  const filled: Record<string, unknown> = { ...http };
  if (typeof http.url === "string") filled.url = fill(http.url);
  if (typeof http.body === "string") filled.body = fill(http.body);
  if (http.headers !== null && typeof http.headers === "object") {
    filled.headers = Object.fromEntries(Object.entries(http.headers).map(([name, value]) => [name, typeof value === "string" ? fill(value) : value]));
  }
  return filled;
}

class SlotMismatchError extends Error {}

/** A tool node's own arguments: values only where the builder wrote the references. */
function fillSlots(args: unknown, slots: readonly CredentialSlot[], valueOf: (name: string) => string): unknown {
  let result = args;
  for (const slot of slots) {
    const expected = slot.parts.map((part) => (typeof part === "string" ? part : part.text)).join("");
    if (valueAt(result, slot.path) !== expected) {
      // The arguments are not the ones the slots were computed for: never guess where values go.
      throw new SlotMismatchError("internal error: the arguments changed after they were rendered; no credential was used");
    }
    const filled = slot.parts.map((part) => (typeof part === "string" ? part : valueOf(part.credential))).join("");
    result = replaceAt(result, slot.path, filled);
  }
  return result;
}

function valueAt(root: unknown, path: ArgumentPath): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** A copy of `root` with the value at `path` replaced, copying only the containers on the way. */
function replaceAt(root: unknown, path: ArgumentPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string | number, ...ArgumentPath];
  const container = root as Record<string | number, unknown> | unknown[];
  const child = replaceAt((container as Record<string | number, unknown>)[key], rest, value);
  if (Array.isArray(container)) {
    const copy = [...container];
    copy[Number(key)] = child;
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(container)) {
    Object.defineProperty(copy, name, { value: name === String(key) ? child : item, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function refuse(error: string): Refusal {
  return { ok: false, error };
}
