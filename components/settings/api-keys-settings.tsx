"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useCan } from "@/components/session/session-context";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { ApiKeyCreateCard } from "./api-key-create-card";
import { Card, DangerConfirm, RoleNote, SettingsHeader, QueryStateRows, TD, TH } from "./section";
import type { ScopeInfo } from "./types";

type ApiKey = RouterOutputs["apiKeys"]["list"][number];

const DESCRIPTION = "Keys let other systems call AgentFlow's REST API for this workspace: start runs, follow them, answer human tasks.";

/** /settings/api-keys (admins): workspace API keys, each shown once when created. */
export function ApiKeysSettings({ scopes, appUrl }: { scopes: ScopeInfo[]; appUrl: string }) {
  const canManage = useCan("api_key:manage");
  return (
    <div>
      <SettingsHeader title="API keys" description={DESCRIPTION}>
        <Link href="/docs/api" className="shrink-0 rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50">
          API reference
        </Link>
      </SettingsHeader>
      {canManage ? (
        <>
          <ApiKeyCreateCard scopes={scopes} appUrl={appUrl} />
          <ApiKeysTable />
        </>
      ) : (
        <RoleNote title="Only admins can manage API keys.">
          To start a single workflow from another system, an editor can create a trigger token in that workflow&apos;s Trigger tab instead.
        </RoleNote>
      )}
    </div>
  );
}

function ApiKeysTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () => {
        setRevoking(null);
        void queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter());
      },
    }),
  );

  return (
    <Card title="Keys" description="Only the first characters of a key are kept in view; the key itself is stored hashed." flush>
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="API keys">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>Name</th>
              <th scope="col" className={TH}>Scopes</th>
              <th scope="col" className={TH}>Key</th>
              <th scope="col" className={`${TH} w-28`}>Created</th>
              <th scope="col" className={`${TH} w-28`}>Last used</th>
              <th scope="col" className={`${TH} w-24`}>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={keys} colSpan={6} loading="Loading keys…" empty="No API keys yet. Create one above to call the REST API." />
            {keys.data?.map((key) => (
              <tr key={key.id} data-key-id={key.id} className="hover:bg-slate-50/60">
                <td className={`${TD} font-medium text-slate-900`}>{key.name}</td>
                <td className={TD}>
                  <div className="flex flex-wrap gap-1">
                    {key.scopes.map((scope) => (
                      <span key={scope} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700">
                        {scope}
                      </span>
                    ))}
                  </div>
                </td>
                <td className={TD}>
                  <code className="font-mono text-xs text-slate-700">{key.prefix}…</code>
                </td>
                <td className={`${TD} whitespace-nowrap text-slate-600`} title={formatDateTime(key.createdAt)}>
                  {formatRelative(key.createdAt)}
                </td>
                <td className={`${TD} whitespace-nowrap text-slate-600`} title={key.lastUsedAt ? formatDateTime(key.lastUsedAt) : undefined}>
                  {key.lastUsedAt ? formatRelative(key.lastUsedAt) : <span className="text-slate-400">Never</span>}
                </td>
                <td className={`${TD} text-right`}>
                  <Button
                    size="sm"
                    variant="danger"
                    aria-label={`Revoke API key ${key.name}`}
                    onClick={() => {
                      revoke.reset();
                      setRevoking(key);
                    }}
                  >
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {revoking && (
        <DangerConfirm
          title={`Revoke “${revoking.name}”?`}
          confirmLabel="Revoke key"
          pending={revoke.isPending}
          error={revoke.isError ? revoke.error : null}
          onConfirm={() => revoke.mutate({ keyId: revoking.id })}
          onCancel={() => setRevoking(null)}
        >
          <p>
            Requests with <code className="font-mono text-xs">{revoking.prefix}…</code> are refused (401) from now on. This cannot be undone.
          </p>
        </DangerConfirm>
      )}
    </Card>
  );
}
