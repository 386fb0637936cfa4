"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatDateTime, formatRelative } from "@/components/ui/format";
import { isCredentialKind, KIND_SHORT, previewText } from "./credential-draft";
import { EditHostsDialog, RotateDialog } from "./credential-dialogs";
import { Card, DangerConfirm, QueryStateRows, SuccessNote, TD, TH } from "./section";

export type Credential = RouterOutputs["credentials"]["list"][number];
type Action = { kind: "rotate" | "hosts" | "delete"; credential: Credential };

export function CredentialsTable({ canManage }: { canManage: boolean }) {
  const trpc = useTRPC();
  const credentials = useQuery(trpc.credentials.list.queryOptions());
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const columns = canManage ? 6 : 5;
  const close = () => setAction(null);
  const open = (kind: Action["kind"], credential: Credential) => {
    setNotice(null);
    setAction({ kind, credential });
  };
  const done = (message: string) => {
    setAction(null);
    setNotice(message);
  };

  return (
    <Card title="Saved credentials" flush>
      {notice && (
        <div className="border-b border-slate-100 px-5 py-3">
          <SuccessNote>{notice}</SuccessNote>
        </div>
      )}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Credentials">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>Name</th>
              <th scope="col" className={TH}>Kind</th>
              <th scope="col" className={TH}>Value</th>
              <th scope="col" className={TH}>Allowed hosts</th>
              <th scope="col" className={`${TH} w-28`}>Updated</th>
              {canManage && (
                <th scope="col" className={`${TH} w-52`}>
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={credentials} colSpan={columns} loading="Loading credentials…" empty={<>No credentials yet.{canManage ? " Add one below." : ""}</>} />
            {credentials.data?.map((credential) => (
              <tr key={credential.id} data-credential-name={credential.name} className="hover:bg-slate-50/60">
                <td className={TD}>
                  <code className="font-mono text-xs font-medium text-slate-900">{credential.name}</code>
                </td>
                <td className={`${TD} whitespace-nowrap text-slate-600`}>{isCredentialKind(credential.kind) ? KIND_SHORT[credential.kind] : credential.kind}</td>
                <td className={TD}>
                  <code data-testid="credential-preview" className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs whitespace-nowrap text-slate-700">
                    {previewText(credential.preview)}
                  </code>
                </td>
                <td className={TD}>
                  {credential.allowedHosts.length === 0 ? (
                    <span className="text-xs text-slate-400">Any host</span>
                  ) : (
                    <div className="flex flex-wrap gap-1">
                      {credential.allowedHosts.map((host) => (
                        <span key={host} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] text-slate-700">
                          {host}
                        </span>
                      ))}
                    </div>
                  )}
                </td>
                <td className={`${TD} whitespace-nowrap text-slate-600`} title={formatDateTime(credential.updatedAt)}>
                  {formatRelative(credential.updatedAt)}
                </td>
                {canManage && (
                  <td className={`${TD} text-right whitespace-nowrap`}>
                    <Button size="sm" variant="ghost" aria-label={`Rotate ${credential.name}`} onClick={() => open("rotate", credential)}>
                      Rotate
                    </Button>
                    <Button size="sm" variant="ghost" aria-label={`Edit the allowed hosts of ${credential.name}`} onClick={() => open("hosts", credential)}>
                      Hosts
                    </Button>
                    <Button size="sm" variant="danger" aria-label={`Delete ${credential.name}`} onClick={() => open("delete", credential)}>
                      Delete
                    </Button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {action?.kind === "rotate" && <RotateDialog credential={action.credential} onClose={close} onDone={() => done(`Rotated “${action.credential.name}”: tools use the new value from their next call.`)} />}
      {action?.kind === "hosts" && <EditHostsDialog credential={action.credential} onClose={close} onDone={() => done(`Saved the allowed hosts of “${action.credential.name}”.`)} />}
      {action?.kind === "delete" && <DeleteDialog credential={action.credential} onClose={close} onDone={() => done(`Deleted “${action.credential.name}”.`)} />}
    </Card>
  );
}

function DeleteDialog({ credential, onClose, onDone }: { credential: Credential; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.credentials.delete.mutationOptions({
      onSuccess: () => {
        onDone();
        void queryClient.invalidateQueries(trpc.credentials.list.queryFilter());
      },
    }),
  );
  return (
    <DangerConfirm
      title={`Delete “${credential.name}”?`}
      confirmLabel="Delete credential"
      pending={remove.isPending}
      error={remove.isError ? remove.error : null}
      onConfirm={() => remove.mutate({ id: credential.id })}
      onCancel={onClose}
    >
      <p>
        Tools that use <code className="font-mono text-xs">{`{{credentials.${credential.name}}}`}</code> fail until a credential with this name exists again. The value cannot be recovered.
      </p>
    </DangerConfirm>
  );
}
