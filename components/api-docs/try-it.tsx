"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { buildUrl, type OperationView } from "./openapi-view";

type Result = { status: number; contentType: string; text: string } | { error: string };

/** How long a "Try it" on the event stream keeps reading before it stops by itself. */
const STREAM_READ_MS = 15_000;

/**
 * Sends the operation from the browser with the API key pasted at the top of the page. The
 * request carries no cookie (`credentials: "omit"`): it succeeds only if the key does, exactly as
 * for another system calling the API.
 */
export function TryIt({ operation, apiKey, initialBody, values, onValuesChange, body, onBodyChange }: {
  operation: OperationView;
  apiKey: string;
  initialBody: string | null;
  values: Record<string, string>;
  onValuesChange: (values: Record<string, string>) => void;
  body: string | null;
  onBodyChange: (body: string) => void;
}) {
  const [result, setResult] = useState<Result | null>(null);
  const [sending, setSending] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const isStream = operation.responses.some((response) => response.contentType === "text/event-stream");
  const editable = operation.parameters.filter((parameter) => parameter.in !== "header" || parameter.name === "Idempotency-Key" || parameter.name === "Last-Event-ID");

  async function send() {
    setSending(true);
    setResult(null);
    const controller = new AbortController();
    abort.current = controller;
    const timer = isStream ? setTimeout(() => controller.abort(), STREAM_READ_MS) : undefined;
    try {
      const headers = new Headers();
      if (apiKey.trim()) headers.set("authorization", `Bearer ${apiKey.trim()}`);
      for (const parameter of operation.parameters) {
        const value = values[parameter.name];
        if (parameter.in === "header" && value) headers.set(parameter.name, value);
      }
      const hasBody = operation.requestBody !== null && (body ?? "").trim() !== "";
      if (hasBody) headers.set("content-type", "application/json");
      if (isStream) headers.set("accept", "text/event-stream");
      const response = await fetch(buildUrl("", operation, values), { method: operation.method, headers, body: hasBody ? body : undefined, credentials: "omit", signal: controller.signal });
      const contentType = response.headers.get("content-type") ?? "";
      let text = "";
      if (response.body) {
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            text += decoder.decode(value, { stream: true });
            setResult({ status: response.status, contentType, text });
          }
        } catch (error) {
          if (!controller.signal.aborted) throw error;
        }
      }
      setResult({ status: response.status, contentType, text: contentType.includes("json") ? pretty(text) : text });
    } catch (error) {
      setResult({ error: error instanceof Error ? error.message : String(error) });
    } finally {
      clearTimeout(timer);
      abort.current = null;
      setSending(false);
    }
  }

  return (
    <div className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3" data-testid={`try-${operation.operationId}`}>
      <p className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Try it</p>
      {editable.length > 0 && (
        <div className="grid gap-2 sm:grid-cols-2">
          {editable.map((parameter) => (
            <label key={`${parameter.in}:${parameter.name}`} className="text-xs text-slate-600">
              <span className="font-mono">{parameter.name}</span> <span className="text-slate-400">({parameter.in})</span>
              <input
                className="mt-0.5 block w-full rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs"
                aria-label={`${parameter.name} (${parameter.in})`}
                value={values[parameter.name] ?? ""}
                onChange={(event) => onValuesChange({ ...values, [parameter.name]: event.target.value })}
              />
            </label>
          ))}
        </div>
      )}
      {operation.requestBody && (
        <label className="block text-xs text-slate-600">
          Body (JSON)
          <textarea
            className="mt-0.5 block h-28 w-full rounded border border-slate-300 bg-white p-2 font-mono text-xs"
            aria-label="Request body"
            value={body ?? initialBody ?? ""}
            onChange={(event) => onBodyChange(event.target.value)}
          />
        </label>
      )}
      <div className="flex items-center gap-2">
        <Button variant="primary" size="sm" onClick={() => void send()} disabled={sending}>
          Send {operation.method}
        </Button>
        {sending && isStream && (
          <Button size="sm" onClick={() => abort.current?.abort()}>
            Stop
          </Button>
        )}
        {!apiKey.trim() && operation.security.length > 0 && <span className="text-xs text-amber-700">Paste an API key at the top: the request carries no cookie.</span>}
      </div>
      {result && "error" in result && <p className="text-xs text-red-700">Request failed: {result.error}</p>}
      {result && "status" in result && (
        <div aria-label="Response" role="region">
          <p className={`text-xs font-semibold ${result.status < 300 ? "text-emerald-700" : "text-red-700"}`} data-testid="try-status">
            {result.status} {result.contentType.split(";")[0]}
          </p>
          <pre className="mt-1 max-h-80 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100 dark:bg-slate-50 dark:text-slate-800" data-testid="try-body">
            {result.text || "(no body)"}
          </pre>
        </div>
      )}
    </div>
  );
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
