"use client";

import type { OpenApiDocument } from "@/server/http/openapi";
import { InlineText } from "./inline-text";
import { refName, resolve, typeLabel, type JsonSchema } from "./openapi-view";

/**
 * A schema as a nested list of fields: name, type, required, description; objects and `$ref`s
 * open on click (a details element), so a large shape (RunEvent) does not flood the page.
 */
export function SchemaView({ document, schema, depth = 0 }: { document: OpenApiDocument; schema: JsonSchema; depth?: number }) {
  const resolved = resolve(document, schema);
  const union = resolved.anyOf ?? resolved.oneOf;
  if (resolved.properties) {
    const required = new Set(resolved.required ?? []);
    return (
      <ul className="space-y-1 border-l border-slate-200 pl-3">
        {Object.entries(resolved.properties).map(([name, property]) => (
          <li key={name}>
            <Field document={document} name={name} schema={property} required={required.has(name)} depth={depth} />
          </li>
        ))}
      </ul>
    );
  }
  if (union && union.some((member) => resolve(document, member).properties)) {
    return (
      <div className="space-y-1">
        <p className="text-xs text-slate-500">One of:</p>
        {union.map((member, index) => (
          <Expandable key={index} label={variantLabel(document, member)} document={document} schema={member} depth={depth} />
        ))}
      </div>
    );
  }
  if (resolved.type === "array" && resolved.items && hasFields(document, resolved.items)) {
    return <SchemaView document={document} schema={resolved.items} depth={depth + 1} />;
  }
  return <p className="font-mono text-xs text-slate-600">{typeLabel(schema)}</p>;
}

function hasFields(document: OpenApiDocument, schema: JsonSchema): boolean {
  const resolved = resolve(document, schema);
  return Boolean(resolved.properties || resolved.anyOf?.some((member) => resolve(document, member).properties) || resolved.oneOf?.some((member) => resolve(document, member).properties));
}

/** A union member's name: its `type` constant (events), its $ref, or its type. */
function variantLabel(document: OpenApiDocument, schema: JsonSchema): string {
  const resolved = resolve(document, schema);
  const tag = Object.entries(resolved.properties ?? {}).find(([, property]) => property.const !== undefined);
  if (tag) return `${tag[0]}: ${JSON.stringify(tag[1].const)}`;
  return schema.$ref ? refName(schema.$ref) : typeLabel(schema);
}

function Field({ document, name, schema, required, depth }: { document: OpenApiDocument; name: string; schema: JsonSchema; required: boolean; depth: number }) {
  const description = schema.description ?? resolve(document, schema).description;
  const label = (
    <span className="text-xs">
      <code className="font-semibold text-slate-900">{name}</code> <span className="font-mono text-slate-500">{typeLabel(schema)}</span>
      {required ? <span className="ml-1 text-[10px] font-semibold tracking-wide text-red-600 uppercase">required</span> : null}
      {description ? (
        <span className="ml-2 text-slate-600">
          <InlineText text={description} />
        </span>
      ) : null}
    </span>
  );
  const inner = arrayItems(document, schema);
  if (depth < 8 && hasFields(document, inner)) {
    return (
      <details>
        <summary className="cursor-pointer">{label}</summary>
        <div className="mt-1">
          <SchemaView document={document} schema={inner} depth={depth + 1} />
        </div>
      </details>
    );
  }
  return <div>{label}</div>;
}

function arrayItems(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const resolved = resolve(document, schema);
  if (resolved.type === "array" && resolved.items) return resolved.items;
  const nonNull = (resolved.anyOf ?? []).filter((member) => member.type !== "null");
  if (nonNull.length === 1 && nonNull[0]) return arrayItems(document, nonNull[0]);
  return schema;
}

function Expandable({ label, document, schema, depth }: { label: string; document: OpenApiDocument; schema: JsonSchema; depth: number }) {
  return (
    <details className="pl-3">
      <summary className="cursor-pointer font-mono text-xs text-slate-700">{label}</summary>
      <div className="mt-1">
        <SchemaView document={document} schema={schema} depth={depth + 1} />
      </div>
    </details>
  );
}
