"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useCan, useMe } from "@/components/session/session-context";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { CheckIcon } from "@/components/ui/icons";
import { FormError, TextField } from "@/components/ui/text-field";
import { fieldError, formError } from "./form-errors";
import { RoleBadge } from "./role-badge";
import { Card, SettingsHeader, TD, TH } from "./section";
import type { PermissionRow, RoleInfo } from "./types";

/** /settings: the workspace's name, your role, and what each role may do. */
export function GeneralSettings({ roles, permissions }: { roles: RoleInfo[]; permissions: PermissionRow[] }) {
  const me = useMe();
  const role = me.workspace?.role;
  const mine = roles.find((r) => r.role === role);
  // Highest role first reads as the ladder it is.
  const ladder = [...roles].reverse();
  return (
    <div>
      <SettingsHeader title="General" description="The workspace everyone here shares, and what each role may do in it." />
      <WorkspaceNameCard />
      {mine && (
        <Card title="Your role">
          <div className="flex items-center gap-3" data-testid="your-role">
            <RoleBadge role={mine.role} />
            <p className="text-sm text-slate-600">{mine.description}</p>
          </div>
        </Card>
      )}
      <Card title="Roles" description="Each role can do everything the roles below it can." flush>
        <div className="overflow-x-auto">
          <table className="w-full text-sm" aria-label="What each role may do">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
              <tr>
                <th scope="col" className={TH}>
                  Permission
                </th>
                {ladder.map((r) => (
                  <th key={r.role} scope="col" className={`${TH} w-20 text-center capitalize ${r.role === role ? "bg-accent-50 text-accent-700" : ""}`}>
                    {r.role}
                    {r.role === role && <span className="sr-only"> (your role)</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {permissions.map((row) => (
                <tr key={row.permission}>
                  <th scope="row" className={`${TD} text-left font-normal text-slate-700`}>
                    {row.label}
                  </th>
                  {ladder.map((r) => (
                    <td key={r.role} className={`${TD} text-center ${r.role === role ? "bg-accent-50/50" : ""}`}>
                      {row.roles.includes(r.role) ? (
                        <>
                          <CheckIcon className="inline size-4 text-emerald-600" />
                          <span className="sr-only">yes</span>
                        </>
                      ) : (
                        <>
                          <span aria-hidden="true" className="text-slate-300">
                            –
                          </span>
                          <span className="sr-only">no</span>
                        </>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <dl className="grid gap-x-4 gap-y-2 border-t border-slate-100 px-5 py-4 text-sm sm:grid-cols-[6rem_1fr]">
          {ladder.map((r) => (
            <div key={r.role} className="contents">
              <dt>
                <RoleBadge role={r.role} />
              </dt>
              <dd className="text-slate-600">{r.description}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
}

function WorkspaceNameCard() {
  const me = useMe();
  const canRename = useCan("workspace:manage");
  const trpc = useTRPC();
  const router = useRouter();
  const current = me.workspace?.name ?? "";
  const [name, setName] = useState(current);
  const [saved, setSaved] = useState(false);
  const rename = useMutation(
    trpc.account.renameWorkspace.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        // The name lives in the server layout (top bar, switcher): render it again.
        router.refresh();
      },
    }),
  );

  if (!canRename) {
    return (
      <Card title="Workspace">
        <TextField label="Workspace name" value={current} readOnly hint="Only an owner can rename the workspace." className="max-w-md" />
      </Card>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    rename.mutate({ name: name.trim() });
  };
  const unchanged = name.trim() === current || name.trim() === "";
  return (
    <Card title="Workspace">
      <form onSubmit={submit} className="flex max-w-xl flex-wrap items-start gap-2">
        <TextField
          label="Workspace name"
          value={name}
          maxLength={80}
          required
          onChange={(event) => {
            setName(event.target.value);
            setSaved(false);
          }}
          error={fieldError(rename.error, "name", "The name")}
          className="min-w-64 flex-1"
        />
        <div className="flex items-center gap-2 pt-6">
          <Button type="submit" variant="primary" disabled={unchanged || rename.isPending}>
            {rename.isPending ? "Saving…" : "Rename"}
          </Button>
          {saved && !rename.isPending && (
            <span role="status" className="inline-flex items-center gap-1 text-sm text-emerald-700">
              <CheckIcon className="size-4" /> Saved
            </span>
          )}
        </div>
      </form>
      <div className="mt-2 max-w-xl">
        <FormError message={formError(rename.error, ["name"])} />
      </div>
    </Card>
  );
}
