"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { InputField } from "@/server/engine/graph";
import { exampleRunInput } from "@/server/engine/run-input";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatRelative } from "@/components/ui/format";
import { KeyIcon } from "@/components/ui/icons";
import { CopyField } from "./copy-field";
import { WebhookSettings } from "./webhook-settings";
import { SchedulesPanel } from "./schedules-panel";
import { useEditorStore } from "./store/editor-store-provider";
import { selectReadOnly } from "./store/selectors";
import type { EditorState } from "./store/types";

type CreatedToken = RouterOutputs["workflow"]["createTriggerToken"];
type ApiTarget = RouterOutputs["workflow"]["releaseState"]["api"];

const selectTriggerData = (s: EditorState) => {
  const trigger = s.nodes.find((node) => node.type === "trigger");
  return trigger?.type === "trigger" ? trigger.data : null;
};

/**
 * The request body of the curl example: the trigger's sample input, completed with the input
 * fields' defaults (and a placeholder for a required field without one), compacted.
 */
function exampleBody(fields: readonly InputField[], sample: string): string {
  return JSON.stringify({ input: exampleRunInput(fields, sample) });
}

/** Single quotes close a single-quoted shell string; this keeps the example copy-pasteable. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export function curlExample(url: string, token: string, body: string): string {
  return `curl -X POST ${url} -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d ${shellQuote(body)}`;
}

function problems(count: number): string {
  return `${count} problem${count === 1 ? "" : "s"}`;
}

/** Which graph a call runs, by the rule of server/runs/start-run.ts (pinGraph): published, else a valid draft, else the latest version. */
function apiTargetText(api: ApiTarget): { headline: string; detail: string } {
  switch (api.kind) {
    case "published":
      return {
        headline: `Runs published version ${api.version} (published ${formatRelative(api.publishedAt)})`,
        detail: "Edits to the draft do not reach the API until you publish them; Run in the editor runs the draft.",
      };
    case "draft":
      return {
        headline: "Runs the saved draft (nothing is published yet)",
        detail: "Only while the draft passes its checks: an invalid edit keeps calls on the latest valid version. Publish to pin the version calls run.",
      };
    case "snapshot":
      return {
        headline: `Runs version ${api.version}, the latest valid version`,
        detail: `The saved draft has ${problems(api.draftProblems)}, so calls keep running version ${api.version}. Fix them or publish to change what the API runs.`,
      };
    case "none":
      return {
        headline: "Calls are refused (422)",
        detail: `The saved draft has ${problems(api.draftProblems)} and no earlier version passed the checks. Fix them, then run or publish.`,
      };
  }
}

/** One line on what `POST` runs, so draft and published are never confused. */
function ApiVersion({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const release = useQuery(trpc.workflow.releaseState.queryOptions({ id: workflowId }));
  if (!release.data) return null;
  const { api } = release.data;
  const text = apiTargetText(api);
  const tone = api.kind === "none" ? "border-red-200 bg-red-50 text-red-800" : api.kind === "snapshot" ? "border-amber-200 bg-amber-50 text-amber-900" : "border-slate-200 bg-slate-50 text-slate-700";
  return (
    <div className={`rounded-md border px-2.5 py-2 text-xs ${tone}`} data-testid="api-version" data-kind={api.kind}>
      <p className="font-medium" data-testid="api-version-headline">
        {text.headline}
      </p>
      {api.kind === "published" && api.note && <p className="mt-0.5 italic">“{api.note}”</p>}
      <p className="mt-0.5 opacity-90">{text.detail}</p>
    </div>
  );
}

/** The workflow's REST trigger: URL, tokens (each shown once at creation), revocation. */
export function TriggerPanel({ workflowId }: { workflowId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workflow = useQuery(trpc.workflow.get.queryOptions({ id: workflowId }));
  const trigger = useEditorStore(selectTriggerData);
  // Managing tokens is editing the workflow (the editor role); anyone may see the URL and the token list.
  const manage = !useEditorStore(selectReadOnly);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries(trpc.workflow.get.queryFilter({ id: workflowId }));
  const createToken = useMutation(
    trpc.workflow.createTriggerToken.mutationOptions({
      onSuccess: (token) => {
        setCreated(token);
        setError(null);
        void refresh();
      },
      onError: (cause) => setError(errorMessage(cause)),
    }),
  );
  const revokeToken = useMutation(
    trpc.workflow.revokeTriggerToken.mutationOptions({
      onSuccess: (_result, variables) => {
        if (created?.id === variables.tokenId) setCreated(null);
        void refresh();
      },
      onError: (cause) => setError(errorMessage(cause)),
    }),
  );

  if (!workflow.data) return <p className="p-4 text-sm text-slate-500">Loading…</p>;
  const { triggerUrl, tokens } = workflow.data;
  const body = exampleBody(trigger?.inputFields ?? [], trigger?.sampleInput ?? "");
  const fieldNames = trigger?.inputFields.map((field) => (field.required ? `${field.name} (required)` : field.name)) ?? [];

  return (
    <div className="space-y-5 p-4" data-testid="trigger-panel">
      <section className="space-y-1.5">
        <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Trigger URL</h3>
        <p className="text-xs text-slate-500">
          <code className="font-mono">POST</code> starts a run and answers with its run id.
        </p>
        <ApiVersion workflowId={workflowId} />
        <CopyField value={triggerUrl} label="Copy trigger URL" testId="trigger-url" />
        <p className="text-xs text-slate-500" data-testid="trigger-input-fields">
          Body: <code className="font-mono">{"{ \"input\": … }"}</code>
          {fieldNames.length > 0 ? (
            <>
              {" "}
              with the fields <code className="font-mono">{fieldNames.join(", ")}</code>; a missing or mistyped field is refused with a 400 that names it.
            </>
          ) : (
            <>, any JSON (the Trigger node defines no input fields).</>
          )}
        </p>
      </section>

      <section className="space-y-2">
        <div className="flex items-center justify-between">
          <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Tokens</h3>
          {manage && (
            <Button size="sm" onClick={() => createToken.mutate({ workflowId })} disabled={createToken.isPending}>
              <KeyIcon className="size-3.5" />
              Create token
            </Button>
          )}
        </div>
        {!manage && <p className="text-xs text-slate-500">Editors create and revoke tokens.</p>}

        {created && (
          <div className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-3" data-testid="new-token">
            <p className="text-xs font-medium text-emerald-900">Copy this token now: it is stored hashed and will not be shown again.</p>
            <CopyField value={created.token} label="Copy token" testId="new-token-value" />
            <p className="text-xs font-medium text-emerald-900">Example</p>
            <CopyField value={curlExample(triggerUrl, created.token, body)} label="Copy curl example" multiline testId="curl-example" />
          </div>
        )}

        {error && <p className="text-xs text-red-600">{error}</p>}

        {tokens.length === 0 ? (
          <p className="text-xs text-slate-500" data-testid="no-tokens">No tokens yet. Calls to the trigger URL need a bearer token.</p>
        ) : (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white">
            {tokens.map((token) => (
              <li key={token.id} className="flex items-center gap-2 px-2.5 py-2">
                <div className="min-w-0 flex-1">
                  <code className="font-mono text-xs text-slate-800">{token.prefix}…</code>
                  <p className="text-[11px] text-slate-500">
                    created {formatRelative(token.createdAt)} · {token.lastUsedAt ? `used ${formatRelative(token.lastUsedAt)}` : "never used"}
                  </p>
                </div>
                {manage && (
                  <Button
                    size="sm"
                    variant="danger"
                    aria-label={`Revoke token ${token.prefix}`}
                    disabled={revokeToken.isPending}
                    onClick={() => revokeToken.mutate({ tokenId: token.id })}
                  >
                    Revoke
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <WebhookSettings workflowId={workflowId} triggerUrl={triggerUrl} input={exampleRunInput(trigger?.inputFields ?? [], trigger?.sampleInput ?? "")} manage={manage} />
      <SchedulesPanel workflowId={workflowId} />
    </div>
  );
}
