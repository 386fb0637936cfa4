"use client";

import { useMemo, useState, useSyncExternalStore } from "react";
import type { OpenApiDocument } from "@/server/http/openapi";
import { Button } from "@/components/ui/button";
import { Markdown } from "@/components/ui/markdown";
import { InlineText } from "./inline-text";
import { curlFor, exampleOf, operationsByTag, type OperationView } from "./openapi-view";
import { SchemaView } from "./schema-view";
import { TryIt } from "./try-it";

/** The key lives only in this tab (sessionStorage), never on the server. */
const KEY_STORAGE = "agentflow.api-reference.key";
const keyListeners = new Set<() => void>();

function subscribeToKey(listener: () => void): () => void {
  keyListeners.add(listener);
  return () => keyListeners.delete(listener);
}

function storeKey(value: string): void {
  if (value) window.sessionStorage.setItem(KEY_STORAGE, value);
  else window.sessionStorage.removeItem(KEY_STORAGE);
  for (const listener of keyListeners) listener();
}

const METHOD_COLORS: Record<string, string> = {
  GET: "bg-sky-100 text-sky-800",
  POST: "bg-emerald-100 text-emerald-800",
};

/**
 * The API reference at /docs/api: every operation of the OpenAPI document grouped by tag, with
 * its parameters, request and response schemas, a curl example and "Try it" with the user's key.
 * Rendered from the document in the page's props: no network beyond this app, no eval.
 */
export function ApiReference({ document }: { document: OpenApiDocument }) {
  const groups = useMemo(() => operationsByTag(document), [document]);
  // The server renders without a key; the tab's stored one appears after hydration.
  const apiKey = useSyncExternalStore(subscribeToKey, () => window.sessionStorage.getItem(KEY_STORAGE) ?? "", () => "");
  const changeKey = storeKey;
  const baseUrl = document.servers[0]?.url ?? "";

  return (
    <div className="flex min-h-0 flex-1">
      <nav aria-label="Operations" className="w-64 shrink-0 overflow-y-auto border-r border-slate-200 bg-white p-4 text-sm">
        <a href="#top" className="font-semibold text-slate-900">
          {document.info.title}
        </a>
        {groups.map((group) => (
          <div key={group.tag} className="mt-4">
            <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">{group.tag}</p>
            <ul className="mt-1 space-y-0.5">
              {group.operations.map((operation) => (
                <li key={operation.operationId}>
                  <a href={`#${operation.operationId}`} className="flex items-start gap-2 rounded px-1 py-0.5 text-slate-700 hover:bg-slate-100">
                    <span className={`mt-0.5 w-10 shrink-0 rounded px-1 text-center font-mono text-[10px] font-semibold ${METHOD_COLORS[operation.method] ?? ""}`}>{operation.method}</span>
                    {/* Wraps rather than truncates: "List pending human tasks" cut to "List pending human t…" said less. */}
                    <span className="min-w-0">{operation.summary}</span>
                  </a>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <main id="top" className="min-w-0 flex-1 overflow-y-auto p-6">
        <header className="max-w-4xl space-y-3">
          <h1 className="text-xl font-semibold text-slate-900">{document.info.title}</h1>
          <Markdown text={document.info.description} size="compact" />
          <p className="text-sm text-slate-600">
            Machine-readable: <a className="text-accent-700 underline" href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI {document.openapi}). Base URL{" "}
            <code className="font-mono">{baseUrl}</code>.
          </p>
          <div className="flex flex-wrap items-end gap-2 rounded-md border border-slate-200 bg-white p-3">
            <label className="flex-1 text-sm text-slate-700">
              API key for &ldquo;Try it&rdquo;
              <input
                type="password"
                autoComplete="off"
                className="mt-1 block w-full rounded border border-slate-300 px-2 py-1 font-mono text-sm"
                placeholder="afk_… (Settings → API keys) or a trigger token"
                value={apiKey}
                onChange={(event) => changeKey(event.target.value)}
              />
            </label>
            <Button size="md" onClick={() => changeKey("")} disabled={!apiKey}>
              Forget key
            </Button>
            <p className="w-full text-xs text-slate-500">Kept only in this browser tab (sessionStorage) and sent only by &ldquo;Try it&rdquo;.</p>
          </div>
        </header>
        {groups.map((group) => (
          <section key={group.tag} className="mt-8 max-w-4xl" aria-labelledby={`tag-${group.tag}`}>
            <h2 id={`tag-${group.tag}`} className="border-b border-slate-200 pb-1 text-lg font-semibold text-slate-900">
              {group.tag}
            </h2>
            <p className="mt-1 text-sm text-slate-500">{group.description}</p>
            {group.operations.map((operation) => (
              <OperationCard key={operation.operationId} document={document} operation={operation} baseUrl={baseUrl} apiKey={apiKey} />
            ))}
          </section>
        ))}
      </main>
    </div>
  );
}

function OperationCard({ document, operation, baseUrl, apiKey }: { document: OpenApiDocument; operation: OperationView; baseUrl: string; apiKey: string }) {
  const exampleBody = operation.requestBody ? JSON.stringify(exampleOf(document, operation.requestBody.schema), null, 2) : null;
  const [values, setValues] = useState<Record<string, string>>({});
  const [body, setBody] = useState<string | null>(exampleBody);

  return (
    <article id={operation.operationId} aria-label={`${operation.method} ${operation.path}`} className="mt-6 scroll-mt-4 space-y-3 rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="flex flex-wrap items-center gap-2">
        <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-semibold ${METHOD_COLORS[operation.method] ?? ""}`}>{operation.method}</span>
        <code className="font-mono text-sm text-slate-900">{operation.path}</code>
        <span className="text-sm text-slate-600">— {operation.summary}</span>
      </h3>
      <Markdown text={operation.description} size="compact" />
      <p className="text-xs text-slate-500">
        Auth: {operation.security.length === 0 ? "none" : operation.security.map((scheme) => SECURITY_LABELS[scheme] ?? scheme).join(" · ")} · operationId <code>{operation.operationId}</code>
      </p>
      {operation.parameters.length > 0 && (
        <div>
          <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Parameters</h4>
          <table className="mt-1 w-full text-left text-xs">
            <tbody>
              {operation.parameters.map((parameter) => (
                <tr key={`${parameter.in}:${parameter.name}`} className="border-t border-slate-100 align-top">
                  <td className="py-1 pr-2 font-mono font-semibold whitespace-nowrap text-slate-900">
                    {parameter.name}
                    {parameter.required && <span className="ml-1 text-red-600">*</span>}
                  </td>
                  <td className="py-1 pr-2 text-slate-500">{parameter.in}</td>
                  <td className="py-1 pr-2 font-mono text-slate-600">
                    <SchemaLabel schema={parameter.schema} />
                  </td>
                  <td className="py-1 text-slate-600">{parameter.description && <InlineText text={parameter.description} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {operation.requestBody && (
        <div>
          <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Request body{operation.requestBody.required ? " (required)" : ""}</h4>
          <p className="text-xs text-slate-600">
            <InlineText text={operation.requestBody.description} />
          </p>
          <div className="mt-1">
            <SchemaView document={document} schema={operation.requestBody.schema} />
          </div>
        </div>
      )}
      <div>
        <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Responses</h4>
        <ul className="mt-1 space-y-1">
          {operation.responses.map((response) => (
            <li key={response.status} className="text-xs">
              <details open={response.status.startsWith("2")}>
                <summary className="cursor-pointer">
                  <span className={`font-mono font-semibold ${response.status.startsWith("2") ? "text-emerald-700" : "text-red-700"}`}>{response.status}</span>{" "}
                  <span className="text-slate-700">
                    <InlineText text={response.description} />
                  </span>{" "}
                  {response.contentType && <span className="text-slate-400">{response.contentType}</span>}
                </summary>
                {response.schema && (
                  <div className="mt-1 mb-2">
                    <SchemaView document={document} schema={response.schema} />
                  </div>
                )}
              </details>
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h4 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Example</h4>
        <pre className="mt-1 overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100 dark:bg-slate-50 dark:text-slate-800">{curlFor(baseUrl, operation, values, operation.requestBody ? body : null)}</pre>
      </div>
      <TryIt operation={operation} apiKey={apiKey} initialBody={exampleBody} values={values} onValuesChange={setValues} body={body} onBodyChange={setBody} />
    </article>
  );
}

const SECURITY_LABELS: Record<string, string> = { bearer: "Bearer API key or trigger token", session: "signed-in session", webhook: "signed webhook" };

function SchemaLabel({ schema }: { schema: OperationView["parameters"][number]["schema"] }) {
  const parts: string[] = [];
  if (schema.minimum !== undefined || schema.maximum !== undefined) parts.push(`${schema.minimum ?? ""}–${schema.maximum ?? ""}`);
  if (schema.default !== undefined) parts.push(`default ${JSON.stringify(schema.default)}`);
  return (
    <>
      {labelOf(schema)}
      {parts.length > 0 && <span className="ml-1 text-slate-400">({parts.join(", ")})</span>}
    </>
  );
}

function labelOf(schema: OperationView["parameters"][number]["schema"]): string {
  if (schema.enum) return schema.enum.map((value) => String(value)).join(" | ");
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(labelOf).join(" | ");
  if (schema.type === "array") return `${schema.items ? labelOf(schema.items) : "any"}[]`;
  return String(schema.type ?? "string") + (schema.format ? ` (${schema.format})` : "");
}
