"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { KIND_SHORT, previewText } from "@/components/settings/credential-draft";
import { useUpdateNodeData } from "../store/node-data";
import { Field, SELECT } from "./fields";

/**
 * Picking workspace credentials by name in the inspector. The list procedure returns names,
 * kinds and masked previews — never a value — and the graph stores only the name: the worker
 * resolves it when the call is made. Inside the inspector's fieldset, so a read-only editor
 * disables these controls like every other.
 */

type Credential = RouterOutputs["credentials"]["list"][number];

/** Kept for a minute: the list changes rarely, and every tool or agent node shows it. */
const LIST_STALE_MS = 60_000;

function useCredentialList() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.credentials.list.queryOptions(), staleTime: LIST_STALE_MS, retry: false });
}

function describe(credential: Credential): string {
  return `${credential.name} — ${KIND_SHORT[credential.preview.kind] ?? credential.kind} ${previewText(credential.preview)}`;
}

/** The tool's arguments as an object, or null when they are not a JSON object (the JSON field says why). */
function parseArguments(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text.trim() === "" ? "{}" : text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** http_request's `credential` argument, written into the node's arguments JSON. */
export function HttpCredentialPicker({ nodeId, argumentsText }: { nodeId: string; argumentsText: string }) {
  const id = useId();
  const update = useUpdateNodeData(nodeId, "tool");
  const list = useCredentialList();
  const args = parseArguments(argumentsText);
  const current = typeof args?.credential === "string" ? args.credential : "";
  const known = list.data?.some((credential) => credential.name === current) ?? false;

  const choose = (name: string) => {
    if (!args) return;
    const next = { ...args };
    if (name === "") delete next.credential;
    else next.credential = name;
    update({ arguments: JSON.stringify(next, null, 2) });
  };

  const hint = !args
    ? "Fix the arguments JSON to choose a credential."
    : list.isError
      ? `Credentials cannot be listed: ${errorMessage(list.error)}`
      : current && list.isSuccess && !known
        ? `No credential named "${current}" in this workspace: the call will fail until an admin adds it.`
        : "Adds the credential's header (Authorization, or its own) when the request is sent. Its value is never stored in the workflow.";

  return (
    <Field label="Credential" htmlFor={id} hint={hint}>
      <select id={id} value={current} disabled={!args} onChange={(event) => choose(event.target.value)} className={SELECT} data-testid="credential-picker">
        <option value="">None</option>
        {current !== "" && !known && <option value={current}>{current}</option>}
        {list.data?.map((credential) => (
          <option key={credential.id} value={credential.name} disabled={credential.kind === "secret"}>
            {describe(credential)}
            {credential.kind === "secret" ? " (use {{credentials." + credential.name + "}} instead)" : ""}
          </option>
        ))}
      </select>
    </Field>
  );
}

function toggle(list: readonly string[], name: string, on: boolean): string[] {
  return on ? [...list.filter((item) => item !== name), name] : list.filter((item) => item !== name);
}

/** The agent's credential allowlist: closed by default, one checkbox per workspace credential. */
export function AgentCredentials({ nodeId, selected }: { nodeId: string; selected: string[] }) {
  const update = useUpdateNodeData(nodeId, "agent");
  const list = useCredentialList();
  const names = new Set(list.data?.map((credential) => credential.name));
  // Names saved in the graph but not (or no longer) in the workspace stay visible, so they can be removed.
  const missing = list.isSuccess ? selected.filter((name) => !names.has(name)) : [];

  return (
    <fieldset className="space-y-2" data-testid="agent-credentials">
      <legend className="text-xs font-medium text-slate-700">Credentials this agent may use</legend>
      <p className="text-xs text-slate-500">
        Its <code className="font-mono">http_request</code> calls may pass one as <code className="font-mono">&quot;credential&quot;</code> or write{" "}
        <code className="font-mono">{"{{credentials.<name>}}"}</code> in a header, the URL or the body. The model sees names only; any other
        credential is refused.
      </p>
      {list.isPending && <p className="text-xs text-slate-500">Loading credentials…</p>}
      {list.isError && <p className="text-xs text-amber-700">Credentials cannot be listed: {errorMessage(list.error)}</p>}
      {list.isSuccess && list.data.length === 0 && missing.length === 0 && <p className="text-xs text-slate-500">This workspace has no credentials yet.</p>}
      <ul className="space-y-1">
        {list.data?.map((credential) => (
          <li key={credential.id}>
            <label className="flex items-start gap-2 text-sm text-slate-700">
              <input
                type="checkbox"
                className="mt-0.5 accent-accent-600"
                checked={selected.includes(credential.name)}
                onChange={(event) => update({ credentials: toggle(selected, credential.name, event.target.checked) })}
              />
              <span className="min-w-0">
                <code className="font-mono text-xs font-medium">{credential.name}</code>
                <span className="ml-1.5 text-xs text-slate-500">
                  {KIND_SHORT[credential.preview.kind] ?? credential.kind} {previewText(credential.preview)}
                </span>
                {selected.includes(credential.name) && (
                  <span className="block font-mono text-[11px] text-slate-500">{`{{credentials.${credential.name}}}`}</span>
                )}
              </span>
            </label>
          </li>
        ))}
        {(list.isSuccess ? missing : selected).map((name) => (
          <li key={`missing-${name}`}>
            <label className="flex items-start gap-2 text-sm text-slate-700">
              <input type="checkbox" className="mt-0.5 accent-accent-600" checked onChange={() => update({ credentials: toggle(selected, name, false) })} />
              <span>
                <code className="font-mono text-xs font-medium">{name}</code>
                {list.isSuccess && <span className="ml-1.5 text-xs text-amber-700">not in this workspace</span>}
              </span>
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
