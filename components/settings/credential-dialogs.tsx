"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormError, TextField } from "@/components/ui/text-field";
import { EMPTY_DRAFT, HOSTS_HINT, isCredentialKind, missingField, parseHosts, secretOf, type SecretDraft } from "./credential-draft";
import { KindSelect, SecretInputs } from "./credential-fields";
import type { Credential } from "./credentials-table";
import { fieldError, formError, type Issue } from "./form-errors";

/** Replace the secret (its old value is never shown); workflows refer by name, so none needs an edit. */
export function RotateDialog({ credential, onClose, onDone }: { credential: Credential; onClose: () => void; onDone: () => void }) {
  const formId = useId();
  const [draft, setDraft] = useState<SecretDraft>({ ...EMPTY_DRAFT, kind: isCredentialKind(credential.kind) ? credential.kind : "bearer" });
  const [invalid, setInvalid] = useState<Issue | null>(null);
  const update = useUpdateCredential(onDone);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problem = missingField(draft);
    setInvalid(problem);
    if (!problem) update.mutate({ id: credential.id, secret: secretOf(draft) });
  };
  const errorFor = (path: string, label: string) => (invalid?.path === path ? invalid.message : fieldError(update.error, path, label));
  return (
    <ConfirmDialog
      title={`Rotate “${credential.name}”`}
      onCancel={onClose}
      actions={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form={formId} variant="primary" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Replace secret"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} className="space-y-3" autoComplete="off">
        <p className="text-slate-600">Enter the new value. The current one is replaced at once and cannot be shown or recovered.</p>
        <KindSelect draft={draft} onChange={setDraft} />
        <SecretInputs draft={draft} onChange={setDraft} errorFor={errorFor} />
        <FormError message={formError(update.error, ["secret"])} />
      </form>
    </ConfirmDialog>
  );
}

/** Saves a change to a credential, then refreshes the list and tells the dialog it is done. */
function useUpdateCredential(onDone: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.credentials.update.mutationOptions({
      onSuccess: () => {
        onDone();
        void queryClient.invalidateQueries(trpc.credentials.list.queryFilter());
      },
    }),
  );
}

export function EditHostsDialog({ credential, onClose, onDone }: { credential: Credential; onClose: () => void; onDone: () => void }) {
  const formId = useId();
  const [hosts, setHosts] = useState(credential.allowedHosts.join(", "));
  const [invalid, setInvalid] = useState<string | null>(null);
  const update = useUpdateCredential(onDone);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseHosts(hosts);
    setInvalid(parsed.invalid ? `“${parsed.invalid}” is not a host name` : null);
    if (!parsed.invalid) update.mutate({ id: credential.id, allowedHosts: parsed.hosts });
  };
  return (
    <ConfirmDialog
      title={`Allowed hosts of “${credential.name}”`}
      onCancel={onClose}
      actions={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" form={formId} variant="primary" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save hosts"}
          </Button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} className="space-y-3">
        <TextField label="Allowed hosts" autoFocus spellCheck={false} value={hosts} onChange={(event) => setHosts(event.target.value)} hint={HOSTS_HINT} error={invalid ?? fieldError(update.error, "allowedHosts", "The host")} />
        <FormError message={formError(update.error, ["allowedHosts"])} />
      </form>
    </ConfirmDialog>
  );
}
