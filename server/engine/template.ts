/**
 * `{{ path }}` templates over run data, e.g. `{{input.topic}}`, `{{previous}}`,
 * `{{nodes.agent_1.output}}`. Only dotted property lookups: user text is never evaluated.
 *
 * `{{credentials.<name>}}` is not run data but a reference to a workspace secret: the engine
 * never sees secrets, so rendering leaves such a reference exactly as written. Only the worker
 * substitutes it, at call time, and only where the workflow's builder wrote it in a tool's
 * arguments (`renderToolArguments` says where); in a prompt it stays literal for good, since
 * whatever is substituted there is sent to the model.
 */

import { isContainer, toJsonText } from "./json-text";
import { CREDENTIAL_NAME_PATTERN } from "./tools/catalog";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;

/** Defined with the tool catalog (which checks http_request's `credential` with it); the reference syntax lives here. */
export { CREDENTIAL_NAME_PATTERN };
const CREDENTIALS_ROOT = "credentials";

export type TemplateScope = {
  input: unknown;
  previous: unknown;
  nodes: Record<string, { output?: unknown }>;
  /** Inside a for-each's body: the item and its place in the list (0-based). */
  item?: unknown;
  index?: number;
};

/** Whether a placeholder path is in the `credentials` namespace (a reference, never data). */
export function isCredentialPath(path: string): boolean {
  return path === CREDENTIALS_ROOT || path.startsWith(`${CREDENTIALS_ROOT}.`);
}

/** The credential a placeholder path names, or null when it is not a well-formed credential reference. */
export function credentialNameOf(path: string): string | null {
  if (!path.startsWith(`${CREDENTIALS_ROOT}.`)) return null;
  const name = path.slice(CREDENTIALS_ROOT.length + 1);
  return CREDENTIAL_NAME_PATTERN.test(name) ? name : null;
}

/** The well-formed credential names referenced in `text`, each once. */
export function credentialNamesIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = credentialNameOf(match[1] ?? "");
    if (name !== null) names.add(name);
  }
  return [...names];
}

export function lookupPath(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    // Own properties only: `{{input.__proto__}}` must not reach prototypes.
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function stringifyValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return toJsonText(value, { pretty: true }) ?? "";
}

/** Fills in run data; credential references are left exactly as written. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(PLACEHOLDER, (match: string, path: string) => (isCredentialPath(path) ? match : stringifyValue(lookupPath(scope, path))));
}

/** Every placeholder path in a template (for validation and editor hints). */
export function templatePaths(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "");
}

const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}$/;

/**
 * Renders templates inside a JSON value (a tool node's arguments). A string that is exactly
 * one placeholder takes the referenced value as is, so `"{{input.items}}"` can pass an array.
 */
export function renderTemplateValue(value: unknown, scope: TemplateScope): unknown {
  return renderValue(value, scope, null).args;
}

/** A key of an object, or an index of an array, on the way from the arguments' root to a string. */
export type ArgumentPath = (string | number)[];

/**
 * One string of rendered tool arguments in which the builder wrote credential references:
 * its text in pieces, so the worker can put each credential's value exactly where the
 * builder's reference was — and nowhere else. Text that run data contributed (`{{previous}}`
 * holding "{{credentials.x}}", say) is a plain string piece and is never substituted.
 */
export type CredentialSlot = {
  path: ArgumentPath;
  /** Joined (a credential piece as its `text`), they are the rendered string. */
  parts: (string | { credential: string; text: string })[];
};

/**
 * `renderTemplateValue` for a tool node's own arguments, plus where in the result the
 * builder's credential references are (`credentialSlots`, empty when there are none).
 */
export function renderToolArguments(value: unknown, scope: TemplateScope): { args: unknown; credentialSlots: CredentialSlot[] } {
  const credentialSlots: CredentialSlot[] = [];
  const { args } = renderValue(value, scope, credentialSlots);
  return { args, credentialSlots };
}

type Container = Record<string, unknown> | unknown[];
/** Where a container sits in the value, as a chain to its parent (built only when a slot needs it). */
type Link = { parent: Link | null; key: string | number } | null;

function renderValue(value: unknown, scope: TemplateScope, slots: CredentialSlot[] | null): { args: unknown } {
  const renderLeaf = (leaf: unknown, at: Link): unknown => {
    if (typeof leaf !== "string") return leaf;
    const rendered = renderString(leaf, scope);
    if (slots && rendered.parts) slots.push({ path: pathOf(at), parts: rendered.parts });
    return rendered.value;
  };
  if (!isContainer(value)) return { args: renderLeaf(value, null) };
  // Copies the value with an explicit stack of (original, copy) pairs: the arguments may be
  // nested deeper than the call stack allows a recursive copy to go.
  const stack: [from: object, to: Container, at: Link][] = [];
  const copyLater = (from: object, at: Link): Container => {
    const to = Array.isArray(from) ? [] : {};
    stack.push([from, to, at]);
    return to;
  };
  const root = copyLater(value, null);
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [from, to, at] = entry;
    const isArray = Array.isArray(to);
    let index = 0;
    for (const [key, item] of Object.entries(from)) {
      const here: Link = { parent: at, key: isArray ? index : key };
      index += 1;
      const copy = isContainer(item) ? copyLater(item, here) : renderLeaf(item, here);
      if (isArray) to.push(copy);
      // defineProperty, not assignment: a "__proto__" key in the JSON must stay a plain key.
      else Object.defineProperty(to, key, { value: copy, enumerable: true, writable: true, configurable: true });
    }
  }
  return { args: root };
}

function pathOf(at: Link): ArgumentPath {
  const path: ArgumentPath = [];
  for (let link = at; link; link = link.parent) path.push(link.key);
  return path.reverse();
}

/** A string of the builder's arguments, rendered; `parts` when it holds credential references. */
function renderString(text: string, scope: TemplateScope): { value: unknown; parts?: CredentialSlot["parts"] } {
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole && !isCredentialPath(whole[1] ?? "")) return { value: lookupPath(scope, whole[1] ?? "") };
  const parts: CredentialSlot["parts"] = [];
  let pending = "";
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const path = match[1] ?? "";
    pending += text.slice(last, match.index);
    last = match.index + match[0].length;
    const name = credentialNameOf(path);
    if (name !== null) {
      if (pending !== "") parts.push(pending);
      parts.push({ credential: name, text: match[0] });
      pending = "";
    } else {
      // A malformed credential reference stays as written (validation reports it).
      pending += isCredentialPath(path) ? match[0] : stringifyValue(lookupPath(scope, path));
    }
  }
  pending += text.slice(last);
  if (parts.length === 0) return { value: pending };
  if (pending !== "") parts.push(pending);
  return { value: parts.map((part) => (typeof part === "string" ? part : part.text)).join(""), parts };
}
