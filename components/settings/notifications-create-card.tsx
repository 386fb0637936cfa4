"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { useTRPC, type RouterInputs, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { PlusIcon } from "@/components/ui/icons";
import { FormError, TextField } from "@/components/ui/text-field";
import { CopyField, ShownOnce } from "./copy-field";
import { fieldError, formError } from "./form-errors";
import { SELECT } from "./role-badge";
import { Card, SuccessNote } from "./section";

type Kind = "webhook" | "slack" | "email";
type Created = RouterOutputs["notifications"]["create"];
type CreateInput = RouterInputs["notifications"]["create"];
const NOTIFY_ROLES = ["operator", "editor", "admin", "owner"] as const;
type NotifyRole = (typeof NOTIFY_ROLES)[number];

const KINDS: { kind: Kind; label: string; description: string }[] = [
  { kind: "webhook", label: "Webhook", description: "A signed JSON POST to your URL" },
  { kind: "slack", label: "Slack", description: "A message through a Slack incoming-webhook URL" },
  { kind: "email", label: "Email", description: "Mail to members by role, or to addresses" },
];

const SHOWN = ["kind", "name", "url", "recipients"];

function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter(Boolean);
}

/** Add a channel; a webhook's signing secret is shown here once. */
export function NotificationsCreateCard({ smtpConfigured }: { smtpConfigured: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roleSelectId = useId();
  const addressesId = useId();
  const [kind, setKind] = useState<Kind>("webhook");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [emailMode, setEmailMode] = useState<"role" | "addresses">("role");
  const [minRole, setMinRole] = useState<NotifyRole>("operator");
  const [addresses, setAddresses] = useState("");
  const [created, setCreated] = useState<Created | null>(null);
  const create = useMutation(
    trpc.notifications.create.mutationOptions({
      onSuccess: (channel) => {
        setCreated(channel);
        setName("");
        setUrl("");
        setAddresses("");
        void queryClient.invalidateQueries(trpc.notifications.list.queryFilter());
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    const input: CreateInput =
      kind === "email"
        ? { kind, name: name.trim(), recipients: emailMode === "role" ? { mode: "role", minRole } : { mode: "addresses", addresses: splitAddresses(addresses) } }
        : { kind, name: name.trim(), url: url.trim() };
    create.mutate(input);
  };
  const addressesError = fieldError(create.error, "recipients.addresses", "An address");

  return (
    <Card title="Add a channel" description="Webhook and Slack URLs are stored encrypted; the list shows only their host.">
      <form onSubmit={submit} className="max-w-2xl space-y-4" autoComplete="off">
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Channel type</legend>
          <div className="mt-1.5 grid gap-2 sm:grid-cols-3">
            {KINDS.map((option) => (
              <label
                key={option.kind}
                className={`flex cursor-pointer gap-2.5 rounded-md border px-3 py-2 text-sm transition-colors ${
                  kind === option.kind ? "border-accent-200 bg-accent-50/60" : "border-slate-200 hover:bg-slate-50"
                }`}
              >
                <input
                  type="radio"
                  name="notification-channel-kind"
                  aria-label={option.label}
                  aria-describedby={`channel-kind-${option.kind}`}
                  className="mt-0.5 size-4 accent-accent-600"
                  checked={kind === option.kind}
                  onChange={() => {
                    setKind(option.kind);
                    create.reset();
                  }}
                />
                <span>
                  <span className="font-medium text-slate-900">{option.label}</span>
                  <span id={`channel-kind-${option.kind}`} className="block text-xs text-slate-500">
                    {option.description}
                  </span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <TextField
          label="Channel name"
          placeholder={kind === "slack" ? "e.g. #approvals" : kind === "email" ? "e.g. Operators by mail" : "e.g. Ops pager"}
          required
          maxLength={80}
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={fieldError(create.error, "name", "The name")}
          className="max-w-md"
        />
        {kind !== "email" ? (
          <TextField
            label={kind === "slack" ? "Slack webhook URL" : "Webhook URL"}
            placeholder={kind === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/agentflow/webhook"}
            hint={kind === "slack" ? "Slack: Apps → Incoming Webhooks → Add New Webhook to Workspace." : "Public http(s) URL; each request is signed with a secret shown once, after adding."}
            required
            type="url"
            inputMode="url"
            maxLength={2000}
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            error={fieldError(create.error, "url", "The URL")}
          />
        ) : (
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-700">Recipients</legend>
            {!smtpConfigured && (
              <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900">
                <code className="font-mono">SMTP_URL</code> is not set on this server, so no mail goes out yet: deliveries to this channel fail until it is.
              </p>
            )}
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="radio" name="email-recipients" className="size-4 accent-accent-600" checked={emailMode === "role"} onChange={() => setEmailMode("role")} />
              Members with a role
            </label>
            {emailMode === "role" && (
              <div className="flex items-center gap-2 pl-6 text-sm text-slate-600">
                <label htmlFor={roleSelectId}>Role at least</label>
                <select id={roleSelectId} value={minRole} onChange={(event) => setMinRole(event.target.value as NotifyRole)} className={`${SELECT} h-8 capitalize`}>
                  {NOTIFY_ROLES.map((role) => (
                    <option key={role} value={role} className="capitalize">
                      {role}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="radio" name="email-recipients" className="size-4 accent-accent-600" checked={emailMode === "addresses"} onChange={() => setEmailMode("addresses")} />
              These addresses
            </label>
            {emailMode === "addresses" && (
              <div className="pl-6 text-sm">
                <label htmlFor={addressesId} className="sr-only">
                  Email addresses
                </label>
                <textarea
                  id={addressesId}
                  rows={2}
                  value={addresses}
                  onChange={(event) => setAddresses(event.target.value)}
                  placeholder="ops@example.com, lead@example.com"
                  aria-invalid={addressesError ? true : undefined}
                  className="block w-full max-w-md rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm placeholder:text-slate-400 focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none aria-invalid:border-red-400"
                />
                {addressesError && <p className="mt-1 text-xs text-red-600">{addressesError}</p>}
              </div>
            )}
          </fieldset>
        )}
        <FormError message={formError(create.error, SHOWN)} />
        <Button type="submit" variant="primary" disabled={create.isPending || name.trim() === ""}>
          <PlusIcon className="size-4" />
          {create.isPending ? "Adding…" : "Add channel"}
        </Button>
      </form>
      {created && (
        <div className="mt-4">
          {created.signingSecret ? (
            <ShownOnce title={`Copy the signing secret of “${created.name}” now: it will not be shown again.`} onDone={() => setCreated(null)} testId="new-signing-secret">
              <CopyField value={created.signingSecret} label="Copy signing secret" testId="new-signing-secret-value" />
              <p className="text-xs text-emerald-900">
                Each request carries <code className="font-mono">AgentFlow-Signature: t=…,v1=…</code>: the hex HMAC-SHA256 of <code className="font-mono">t + &quot;.&quot; + body</code>{" "}
                with this secret. Refuse requests whose signature differs or whose <code className="font-mono">t</code> is more than 5 minutes old.
              </p>
            </ShownOnce>
          ) : (
            <SuccessNote>Channel “{created.name}” added. Use Send test to check it.</SuccessNote>
          )}
        </div>
      )}
    </Card>
  );
}
