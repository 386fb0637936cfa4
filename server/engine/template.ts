/**
 * `{{ path }}` templates over run data, e.g. `{{input.topic}}`, `{{previous}}`,
 * `{{nodes.agent_1.output}}`. Only dotted property lookups: user text is never evaluated.
 */

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
  return JSON.stringify(value, null, 2);
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
  if (typeof value === "string") {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole) return lookupPath(scope, whole[1] ?? "");
    return renderTemplate(value, scope);
  }
  if (Array.isArray(value)) return value.map((item) => renderTemplateValue(item, scope));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderTemplateValue(item, scope)]));
  }
  return value;
}
