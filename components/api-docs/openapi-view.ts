import type { OpenApiDocument } from "@/server/http/openapi";

/**
 * Pure reading of the OpenAPI document for the reference page (/docs/api): operations by tag,
 * `$ref`s resolved, a type label per schema, an example body and a curl line per operation.
 */

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  /** The schema's own examples (zod `.meta({ examples })`): the first is the example body shown. */
  examples?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
};

export type Parameter = { name: string; in: "path" | "query" | "header"; required: boolean; description?: string; schema: JsonSchema };
export type ResponseView = { status: string; description: string; contentType: string | null; schema: JsonSchema | null };

export type OperationView = {
  method: string;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: string;
  security: string[];
  parameters: Parameter[];
  requestBody: { description: string; required: boolean; schema: JsonSchema } | null;
  responses: ResponseView[];
};

type RawOperation = {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security?: Record<string, unknown>[];
  parameters?: Parameter[];
  requestBody?: { description?: string; required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
};

export function operationsByTag(document: OpenApiDocument): { tag: string; description: string; operations: OperationView[] }[] {
  const operations: OperationView[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, raw] of Object.entries(methods) as [string, RawOperation][]) {
      const body = raw.requestBody?.content["application/json"];
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: raw.operationId,
        summary: raw.summary,
        description: raw.description,
        tag: raw.tags[0] ?? "Other",
        security: (raw.security ?? []).flatMap((entry) => Object.keys(entry)),
        parameters: raw.parameters ?? [],
        requestBody: body ? { description: raw.requestBody?.description ?? "", required: raw.requestBody?.required ?? false, schema: body.schema } : null,
        responses: Object.entries(raw.responses).map(([status, response]) => {
          const [contentType, media] = Object.entries(response.content ?? {})[0] ?? [null, null];
          return { status, description: response.description, contentType, schema: media?.schema ?? null };
        }),
      });
    }
  }
  return document.tags.map((tag) => ({ tag: tag.name, description: tag.description, operations: operations.filter((operation) => operation.tag === tag.name) }));
}

export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/** The schema a `$ref` points at (one level; a missing target is an empty schema). */
export function resolve(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  return (document.components.schemas[refName(schema.$ref)] as JsonSchema | undefined) ?? {};
}

/** A short type label: `string`, `integer`, `RunStatus`, `array of RunEvent`, `"a" | "b"`, `string | null`. */
export function typeLabel(schema: JsonSchema): string {
  if (schema.$ref) return refName(schema.$ref);
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeLabel).join(" | ");
  if (schema.type === "array") return `array of ${schema.items ? typeLabel(schema.items) : "any"}`;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (schema.type) return schema.format ? `${schema.type} (${schema.format})` : schema.type;
  if (schema.properties) return "object";
  return "any JSON";
}

/** An example value for a schema: its required fields (at the top, every field when none is required), first enum values. */
export function exampleOf(document: OpenApiDocument, schema: JsonSchema, depth = 0): unknown {
  const resolved = resolve(document, schema);
  if (depth > 6) return null;
  if (resolved.examples?.[0] !== undefined) return resolved.examples[0];
  if (resolved.default !== undefined) return resolved.default;
  if (resolved.const !== undefined) return resolved.const;
  if (resolved.enum) return resolved.enum[0];
  const union = resolved.anyOf ?? resolved.oneOf;
  if (union?.[0]) return exampleOf(document, union[0], depth + 1);
  if (resolved.properties) {
    const required = new Set(resolved.required ?? []);
    const everyField = depth === 0 && required.size === 0;
    return Object.fromEntries(
      Object.entries(resolved.properties)
        .filter(([name]) => everyField || required.has(name))
        .map(([name, property]) => [name, exampleOf(document, property, depth + 1)]),
    );
  }
  switch (resolved.type) {
    case "string":
      return resolved.format === "date-time" ? "2026-01-01T00:00:00Z" : "string";
    case "integer":
    case "number":
      return resolved.minimum ?? 1;
    case "boolean":
      return true;
    case "array":
      return [];
    default:
      return {};
  }
}

/** The operation's URL with path parameters filled in and the non-empty query parameters appended. */
export function buildUrl(baseUrl: string, operation: OperationView, values: Record<string, string>): string {
  let path = operation.path;
  const query = new URLSearchParams();
  for (const parameter of operation.parameters) {
    const value = values[parameter.name] ?? "";
    if (parameter.in === "path") path = path.replace(`{${parameter.name}}`, encodeURIComponent(value || `{${parameter.name}}`));
    else if (parameter.in === "query" && value !== "") query.set(parameter.name, value);
  }
  const search = query.toString();
  return `${baseUrl.replace(/\/$/, "")}${path}${search ? `?${search}` : ""}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function curlFor(baseUrl: string, operation: OperationView, values: Record<string, string>, body: string | null): string {
  const lines = [`curl -X ${operation.method} ${shellQuote(buildUrl(baseUrl, operation, values))}`];
  // Operations open to anyone (the health probes) take no credential.
  if (operation.security.length > 0) lines.push(`  -H "Authorization: Bearer $AGENTFLOW_API_KEY"`);
  for (const parameter of operation.parameters) {
    const value = values[parameter.name];
    if (parameter.in === "header" && value) lines.push(`  -H ${shellQuote(`${parameter.name}: ${value}`)}`);
  }
  if (operation.responses.some((response) => response.contentType === "text/event-stream")) lines.push("  -N -H 'Accept: text/event-stream'");
  if (body !== null && body.trim() !== "") lines.push("  -H 'Content-Type: application/json'", `  -d ${shellQuote(body)}`);
  return lines.join(" \\\n");
}
