"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "@/components/session/session-context";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { EMPTY_PROVIDER, isProviderKind, PROVIDER_KIND_LABELS, ProviderForm, providerFields, type ProviderDraft } from "./providers-form";
import { Card, DangerConfirm, QueryStateRows, RoleNote, SettingsHeader, SuccessNote, TD, TH } from "./section";
import { TableNotice, useRowDialogs } from "./row-dialogs";

type Provider = RouterOutputs["providers"]["list"]["providers"][number];
type Choice = RouterOutputs["providers"]["list"]["choices"][number];
type TestResult = RouterOutputs["providers"]["test"];

/** /settings/providers: the models this workspace's agents can use; admins add, test, edit and delete them. */
export function ProvidersSettings() {
  const canManage = useCan("credential:manage");
  const trpc = useTRPC();
  const list = useQuery(trpc.providers.list.queryOptions());
  return (
    <div>
      <SettingsHeader
        title="Model providers"
        description="Where your agents' models run: OpenAI, Anthropic, RunPod, Ollama or any OpenAI-compatible server. Agents pick one by name in the inspector; keys stay in the vault."
      />
      {!canManage && <RoleNote title="Only admins can add, test or change model providers.">Your agents can use the ones below.</RoleNote>}
      <ProvidersTable canManage={canManage} query={list} />
      {canManage && <AddProviderCard />}
      <BuiltInCard choices={list.data?.choices ?? []} defaultName={list.data?.defaultName} />
    </div>
  );
}

type ListQuery = { isPending: boolean; isError: boolean; error: unknown; data?: RouterOutputs["providers"]["list"] };

function ProvidersTable({ canManage, query }: { canManage: boolean; query: ListQuery }) {
  const dialogs = useRowDialogs<Provider>();
  const rows = { isPending: query.isPending, isError: query.isError, error: query.error, data: query.data?.providers };
  const columns = canManage ? 5 : 4;
  return (
    <Card title="This workspace's providers" flush>
      <TableNotice notice={dialogs.notice} />
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Model providers">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>Name</th>
              <th scope="col" className={TH}>Kind</th>
              <th scope="col" className={TH}>URL</th>
              <th scope="col" className={TH}>API key</th>
              {canManage && (
                <th scope="col" className={`${TH} w-56`}>
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={rows} colSpan={columns} loading="Loading providers…" empty={<>No providers yet: agents use the default below.{canManage ? " Add one below." : ""}</>} />
            {rows.data?.map((provider) => (
              <ProviderRow
                key={provider.id}
                provider={provider}
                canManage={canManage}
                columns={columns}
                onEdit={() => dialogs.edit(provider)}
                onDelete={() => dialogs.remove(provider)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {dialogs.editing && <EditDialog provider={dialogs.editing} onClose={dialogs.closeDialogs} onDone={() => dialogs.done(`Saved “${dialogs.editing?.name}”.`)} />}
      {dialogs.deleting && <DeleteDialog provider={dialogs.deleting} onClose={dialogs.closeDialogs} onDone={() => dialogs.done(`Deleted “${dialogs.deleting?.name}”.`)} />}
    </Card>
  );
}

function ProviderRow({ provider, canManage, columns, onEdit, onDelete }: { provider: Provider; canManage: boolean; columns: number; onEdit: () => void; onDelete: () => void }) {
  const trpc = useTRPC();
  const [result, setResult] = useState<TestResult | null>(null);
  const test = useMutation(trpc.providers.test.mutationOptions({ onSuccess: setResult }));
  return (
    <>
      <tr data-provider-name={provider.name} className="hover:bg-slate-50/60">
        <td className={TD}>
          <code className="font-mono text-xs font-medium text-slate-900">{provider.name}</code>
          {provider.defaultModel && <div className="mt-0.5 text-xs text-slate-500">default model {provider.defaultModel}</div>}
        </td>
        <td className={`${TD} whitespace-nowrap text-slate-600`}>
          {isProviderKind(provider.kind) ? PROVIDER_KIND_LABELS[provider.kind] : provider.kind}
          {provider.unsupported && <div className="text-xs text-amber-700">{provider.unsupported}</div>}
        </td>
        <td className={TD}>
          <code className="font-mono text-xs break-all text-slate-700">{provider.apiBaseUrl}</code>
        </td>
        <td className={`${TD} whitespace-nowrap`}>
          <span className={`rounded px-1.5 py-0.5 text-xs ${provider.apiKeySet ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-slate-500"}`}>{provider.apiKeySet ? "set" : "not set"}</span>
        </td>
        {canManage && (
          <td className={`${TD} text-right whitespace-nowrap`}>
            <Button size="sm" variant="ghost" aria-label={`Test connection of ${provider.name}`} disabled={test.isPending} onClick={() => test.mutate({ id: provider.id })}>
              {test.isPending ? "Testing…" : "Test connection"}
            </Button>
            <Button size="sm" variant="ghost" aria-label={`Edit ${provider.name}`} onClick={onEdit}>
              Edit
            </Button>
            <Button size="sm" variant="danger" aria-label={`Delete ${provider.name}`} onClick={onDelete}>
              Delete
            </Button>
          </td>
        )}
      </tr>
      {(result || test.isError) && (
        <tr>
          <td colSpan={columns} className="px-5 pb-3" data-testid={`provider-test-${provider.name}`}>
            {test.isError ? (
              <p className="text-xs text-red-700">{test.error.message}</p>
            ) : result?.ok ? (
              <div className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-xs text-emerald-800">
                <p className="font-medium">Connected — {result.models.length} model{result.models.length === 1 ? "" : "s"} found</p>
                <p className="mt-1 font-mono break-words">{result.models.slice(0, 30).join(", ")}{result.models.length > 30 ? ", …" : ""}</p>
              </div>
            ) : (
              <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-700">
                {result && !result.ok ? result.error : ""}
              </p>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function draftOf(provider: Provider): ProviderDraft {
  return {
    name: provider.name,
    kind: isProviderKind(provider.kind) ? provider.kind : "openai_compatible",
    baseUrl: provider.baseUrl,
    apiKey: "",
    organization: provider.organization ?? "",
    runpodEndpointId: provider.runpodEndpointId ?? "",
    coldStartTimeoutSeconds: provider.coldStartTimeoutSeconds === null ? "" : String(provider.coldStartTimeoutSeconds),
    usdPerSecond: provider.usdPerSecond === null ? "" : String(provider.usdPerSecond),
    defaultModel: provider.defaultModel,
  };
}

function EditDialog({ provider, onClose, onDone }: { provider: Provider; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(
    trpc.providers.update.mutationOptions({
      onSuccess: () => {
        onDone();
        void queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );
  return (
    <ConfirmDialog title={`Edit “${provider.name}”`} onCancel={onClose} actions={null}>
      <ProviderForm
        initial={draftOf(provider)}
        editing
        apiKeySet={provider.apiKeySet}
        pending={update.isPending}
        error={update.error}
        submitLabel="Save"
        onCancel={onClose}
        onSubmit={(draft) => update.mutate({ id: provider.id, ...providerFields(draft) })}
      />
    </ConfirmDialog>
  );
}

function DeleteDialog({ provider, onClose, onDone }: { provider: Provider; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.providers.delete.mutationOptions({
      onSuccess: () => {
        onDone();
        void queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );
  return (
    <DangerConfirm
      title={`Delete “${provider.name}”?`}
      confirmLabel="Delete provider"
      pending={remove.isPending}
      error={remove.isError ? remove.error : null}
      onConfirm={() => remove.mutate({ id: provider.id })}
      onCancel={onClose}
    >
      <p>Agents set to “{provider.name}” cannot run until a provider with this name exists again. The key cannot be recovered.</p>
    </DangerConfirm>
  );
}

function AddProviderCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [formKey, setFormKey] = useState(0);
  const [saved, setSaved] = useState<string | null>(null);
  const create = useMutation(
    trpc.providers.create.mutationOptions({
      onSuccess: (provider) => {
        setSaved(provider.name);
        // A fresh form: the key leaves the page's state once the server has it.
        setFormKey((key) => key + 1);
        void queryClient.invalidateQueries(trpc.providers.pathFilter());
      },
    }),
  );
  return (
    <Card title="Add a provider" description="Then use “Test connection” to list its models.">
      <ProviderForm
        key={formKey}
        initial={EMPTY_PROVIDER}
        editing={false}
        pending={create.isPending}
        error={create.error}
        submitLabel="Add provider"
        onSubmit={(draft) => {
          setSaved(null);
          create.mutate({ name: draft.name.trim(), kind: draft.kind, ...providerFields(draft) });
        }}
      />
      {saved && (
        <div className="mt-3">
          <SuccessNote>Added “{saved}”. Agents can now pick it in the inspector.</SuccessNote>
        </div>
      )}
    </Card>
  );
}

function BuiltInCard({ choices, defaultName }: { choices: Choice[]; defaultName: string | undefined }) {
  const others = choices.filter((choice) => choice.source !== "workspace");
  return (
    <Card title="Always available" description="From the server's environment (for headless setups) and the built-in demo model.">
      <ul className="space-y-1 text-sm text-slate-700" data-testid="built-in-providers">
        {others.map((choice) => (
          <li key={choice.name}>
            <code className="font-mono text-xs">{choice.name}</code> — {choice.label}
          </li>
        ))}
      </ul>
      {defaultName && (
        <p className="mt-3 text-xs text-slate-500">
          Agents set to “Default” use <code className="font-mono">{defaultName}</code>: the first of this workspace&apos;s providers, else the environment&apos;s.
        </p>
      )}
    </Card>
  );
}
