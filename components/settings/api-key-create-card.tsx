"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { KeyIcon } from "@/components/ui/icons";
import { FormError, TextField } from "@/components/ui/text-field";
import type { ApiKeyScope } from "@/server/auth/roles";
import { CopyField, ShownOnce } from "./copy-field";
import { fieldError, formError } from "./form-errors";
import { SELECT } from "./role-badge";
import { Card } from "./section";
import type { ScopeInfo } from "./types";

type Created = RouterOutputs["apiKeys"]["create"];

export function ApiKeyCreateCard({ scopes, appUrl }: { scopes: ScopeInfo[]; appUrl: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<ApiKeyScope[]>(["trigger"]);
  const [created, setCreated] = useState<Created | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (key) => {
        setCreated(key);
        setName("");
        setChosen(["trigger"]);
        void queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter());
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    create.mutate({ name: name.trim(), scopes: chosen });
  };
  const toggle = (scope: ApiKeyScope, on: boolean) => setChosen((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));
  const scopesError = fieldError(create.error, "scopes", "Scopes");

  return (
    <Card title="Create an API key" description="A key acts for the workspace with exactly its scopes, whoever created it.">
      <form onSubmit={submit} className="space-y-4">
        <TextField
          label="Key name"
          placeholder="e.g. CI pipeline"
          required
          maxLength={80}
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={fieldError(create.error, "name", "The name")}
          className="max-w-md"
        />
        <fieldset aria-describedby={scopesError ? "api-key-scopes-error" : undefined}>
          <legend className="text-sm font-medium text-slate-700">Scopes</legend>
          <div className="mt-1.5 grid gap-2 sm:grid-cols-2">
            {scopes.map(({ scope, description }) => (
              <label
                key={scope}
                className={`flex cursor-pointer gap-2.5 rounded-md border px-3 py-2 text-sm transition-colors ${
                  chosen.includes(scope) ? "border-accent-200 bg-accent-50/60" : "border-slate-200 hover:bg-slate-50"
                }`}
              >
                {/* Named by the scope alone (the description is its description), so "read" is one checkbox. */}
                <input
                  type="checkbox"
                  aria-label={scope}
                  aria-describedby={`scope-${scope}-description`}
                  className="mt-0.5 size-4 accent-accent-600"
                  checked={chosen.includes(scope)}
                  onChange={(event) => toggle(scope, event.target.checked)}
                />
                <span>
                  <span className="font-mono text-xs font-medium text-slate-900">{scope}</span>
                  <span id={`scope-${scope}-description`} className="block text-xs text-slate-500">
                    {description}
                  </span>
                </span>
              </label>
            ))}
          </div>
          {scopesError && (
            <p id="api-key-scopes-error" className="mt-1 text-xs text-red-600">
              {scopesError}
            </p>
          )}
        </fieldset>
        <FormError message={formError(create.error, ["name", "scopes"])} />
        <Button type="submit" variant="primary" disabled={create.isPending || chosen.length === 0 || name.trim() === ""}>
          <KeyIcon className="size-4" />
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
      </form>
      {created && (
        <div className="mt-4">
          <CreatedKey created={created} appUrl={appUrl} onDone={() => setCreated(null)} />
        </div>
      )}
    </Card>
  );
}

/** The new key, once, with a request that uses it. */
function CreatedKey({ created, appUrl, onDone }: { created: Created; appUrl: string; onDone: () => void }) {
  const trpc = useTRPC();
  const selectId = useId();
  const workflows = useQuery(trpc.workflow.list.queryOptions());
  const [picked, setPicked] = useState<string | null>(null);
  const workflowId = picked ?? workflows.data?.[0]?.id ?? "<workflow-id>";
  const canTrigger = created.scopes.includes("trigger") || created.scopes.includes("admin");
  const base = appUrl.replace(/\/$/, "");
  const example = canTrigger
    ? `curl -X POST ${base}/api/v1/workflows/${workflowId}/trigger \\\n  -H "Authorization: Bearer ${created.token}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"input": {}}'`
    : `curl ${base}/api/v1/runs/<run-id> \\\n  -H "Authorization: Bearer ${created.token}"`;

  return (
    <ShownOnce title={`Copy the key “${created.name}” now: it is stored hashed and will not be shown again.`} onDone={onDone} testId="new-api-key">
      <CopyField value={created.token} label="Copy API key" testId="new-api-key-token" />
      <div className="flex flex-wrap items-end justify-between gap-2 pt-1">
        <p className="text-xs font-medium text-emerald-900">{canTrigger ? "Start a run with it" : "Read a run with it"}</p>
        {canTrigger && workflows.data && workflows.data.length > 0 && (
          <div className="flex items-center gap-2 text-xs text-emerald-900">
            <label htmlFor={selectId}>Workflow</label>
            <select id={selectId} value={workflowId} onChange={(event) => setPicked(event.target.value)} className={`${SELECT} h-7 max-w-64 text-xs`}>
              {workflows.data.map((workflow) => (
                <option key={workflow.id} value={workflow.id}>
                  {workflow.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <CopyField value={example} label="Copy curl example" multiline testId="new-api-key-example" />
      <p className="text-xs text-emerald-900">
        {canTrigger ? (
          <>
            It answers <code className="font-mono">202</code> with the run id and a status URL to poll with the same key.
          </>
        ) : (
          "This key has no trigger scope, so it cannot start runs."
        )}
      </p>
    </ShownOnce>
  );
}
