/**
 * `{{ path }}` templates over run data, e.g. `{{input.topic}}`, `{{previous}}`,
 * `{{nodes.agent_1.output}}`. Only dotted property lookups: user text is never evaluated.
 */

import { isContainer, toJsonText } from "./json-text";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*\}\}/g;

export type TemplateScope = {
  input: unknown;
  previous: unknown;
  nodes: Record<string, { output?: unknown }>;
};

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

export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => stringifyValue(lookupPath(scope, path)));
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
  const renderLeaf = (leaf: unknown) => (typeof leaf === "string" ? renderString(leaf, scope) : leaf);
  if (!isContainer(value)) return renderLeaf(value);
  // Copies the value with an explicit stack of (original, copy) pairs: the arguments may be
  // nested deeper than the call stack allows a recursive copy to go.
  const stack: [from: object, to: Container][] = [];
  const copyLater = (from: object): Container => {
    const to = Array.isArray(from) ? [] : {};
    stack.push([from, to]);
    return to;
  };
  const root = copyLater(value);
  for (let pair = stack.pop(); pair; pair = stack.pop()) {
    const [from, to] = pair;
    for (const [key, item] of Object.entries(from)) {
      const copy = isContainer(item) ? copyLater(item) : renderLeaf(item);
      if (Array.isArray(to)) to.push(copy);
      // defineProperty, not assignment: a "__proto__" key in the JSON must stay a plain key.
      else Object.defineProperty(to, key, { value: copy, enumerable: true, writable: true, configurable: true });
    }
  }
  return root;
}

type Container = Record<string, unknown> | unknown[];

function renderString(text: string, scope: TemplateScope): unknown {
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole) return lookupPath(scope, whole[1] ?? "");
  return renderTemplate(text, scope);
}
