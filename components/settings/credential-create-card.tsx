"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, isConflictError, useTRPC } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { PlusIcon } from "@/components/ui/icons";
import { FormError, TextField } from "@/components/ui/text-field";
import { CREDENTIAL_NAME, EMPTY_DRAFT, HOSTS_HINT, missingField, parseHosts, secretOf, type SecretDraft } from "./credential-draft";
import { KindSelect, SecretInputs } from "./credential-fields";
import { fieldError, formError, type Issue } from "./form-errors";
import { Card, SuccessNote } from "./section";

const SHOWN = ["name", "secret", "allowedHosts"];

/** Add a credential: once saved, its value is never shown again (only the masked preview). */
export function CredentialCreateCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [draft, setDraft] = useState<SecretDraft>(EMPTY_DRAFT);
  const [hosts, setHosts] = useState("");
  const [invalid, setInvalid] = useState<Issue | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const create = useMutation(
    trpc.credentials.create.mutationOptions({
      onSuccess: (credential) => {
        setSaved(credential.name);
        // The secret leaves the page's state as soon as the server has it.
        setName("");
        setDraft({ ...EMPTY_DRAFT, kind: draft.kind });
        setHosts("");
        void queryClient.invalidateQueries(trpc.credentials.list.queryFilter());
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    create.reset();
    const parsed = parseHosts(hosts);
    const problem: Issue | null = !CREDENTIAL_NAME.test(name.trim())
      ? { path: "name", message: "Use a letter, then letters, digits, - or _ (at most 64 characters)" }
      : (missingField(draft) ?? (parsed.invalid ? { path: "allowedHosts", message: `“${parsed.invalid}” is not a host name` } : null));
    setInvalid(problem);
    if (problem) return;
    create.mutate({ name: name.trim(), secret: secretOf(draft), allowedHosts: parsed.hosts });
  };
  // A taken name is a conflict (no field in the error), but it is the name's problem.
  const nameTaken = isConflictError(create.error) ? errorMessage(create.error) : null;
  const errorFor = (path: string, label: string) => (invalid?.path === path ? invalid.message : path === "name" && nameTaken ? nameTaken : fieldError(create.error, path, label));

  return (
    <Card title="Add a credential" description="Stored encrypted. After saving, nobody can read the value here again — only replace it.">
      <form onSubmit={submit} className="max-w-2xl space-y-3" autoComplete="off">
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField
            label="Name"
            placeholder="github"
            required
            maxLength={64}
            spellCheck={false}
            value={name}
            onChange={(event) => setName(event.target.value)}
            hint="Workflows refer to it by this name."
            error={errorFor("name", "The name")}
          />
          <KindSelect draft={draft} onChange={setDraft} />
        </div>
        <SecretInputs draft={draft} onChange={setDraft} errorFor={errorFor} />
        <TextField label="Allowed hosts" placeholder="api.github.com" spellCheck={false} value={hosts} onChange={(event) => setHosts(event.target.value)} hint={HOSTS_HINT} error={errorFor("allowedHosts", "The host")} />
        <FormError message={nameTaken ? null : formError(create.error, SHOWN)} />
        {saved && (
          <SuccessNote>
            Saved “{saved}”. Its value will not be shown again; use <code className="font-mono text-xs">{`{{credentials.${saved}}}`}</code> in a tool.
          </SuccessNote>
        )}
        <Button type="submit" variant="primary" disabled={create.isPending}>
          <PlusIcon className="size-4" />
          {create.isPending ? "Saving…" : "Add credential"}
        </Button>
      </form>
    </Card>
  );
}

