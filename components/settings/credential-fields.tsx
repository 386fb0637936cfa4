"use client";

import { useId } from "react";
import { TextField } from "@/components/ui/text-field";
import type { CredentialKind } from "@/server/vault/credential-kinds";
import { CREDENTIAL_KIND_LIST, KIND_LABELS, type SecretDraft } from "./credential-draft";
import { SELECT } from "./role-badge";

type DraftProps = { draft: SecretDraft; onChange: (draft: SecretDraft) => void };
type ErrorFor = (path: string, label: string) => string | null;

export function KindSelect({ draft, onChange, label = "Kind" }: DraftProps & { label?: string }) {
  const id = useId();
  return (
    <div className="text-sm">
      <label htmlFor={id} className="font-medium text-slate-700">
        {label}
      </label>
      <select id={id} value={draft.kind} onChange={(event) => onChange({ ...draft, kind: event.target.value as CredentialKind })} className={`${SELECT} mt-1 block w-full`}>
        {CREDENTIAL_KIND_LIST.map((kind) => (
          <option key={kind} value={kind}>
            {KIND_LABELS[kind]}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * The inputs of the chosen kind. Secret parts are password inputs that ask the browser not
 * to fill or save them, so neither the screen nor a password manager keeps them.
 */
export function SecretInputs({ draft, onChange, errorFor }: DraftProps & { errorFor: ErrorFor }) {
  const set = (patch: Partial<SecretDraft>) => onChange({ ...draft, ...patch });
  const secret = { type: "password", autoComplete: "new-password", spellCheck: false } as const;
  const plain = { autoComplete: "off", spellCheck: false } as const;
  switch (draft.kind) {
    case "bearer":
      return <TextField label="Token" {...secret} value={draft.token} onChange={(event) => set({ token: event.target.value })} hint="Sent as “Authorization: Bearer <token>”." error={errorFor("secret.token", "The token")} />;
    case "basic":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label="Username" {...plain} value={draft.username} onChange={(event) => set({ username: event.target.value })} error={errorFor("secret.username", "The username")} />
          <TextField label="Password" {...secret} value={draft.password} onChange={(event) => set({ password: event.target.value })} hint="May be empty (some APIs take a key as the username)." error={errorFor("secret.password", "The password")} />
        </div>
      );
    case "header":
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label="Header name" {...plain} placeholder="X-Api-Key" value={draft.headerName} onChange={(event) => set({ headerName: event.target.value })} error={errorFor("secret.name", "The header name")} />
          <TextField label="Header value" {...secret} value={draft.headerValue} onChange={(event) => set({ headerValue: event.target.value })} error={errorFor("secret.value", "The header value")} />
        </div>
      );
    case "secret":
      return (
        <TextField
          label="Secret value"
          {...secret}
          value={draft.value}
          onChange={(event) => set({ value: event.target.value })}
          hint="Any single-line text: a model provider key, a signing secret…"
          error={errorFor("secret.value", "The value")}
        />
      );
  }
}
