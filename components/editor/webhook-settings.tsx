"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { errorMessage, useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { formatRelative } from "@/components/ui/format";
import { KeyIcon } from "@/components/ui/icons";
import { CopyField } from "./copy-field";

type Scheme = "agentflow" | "github" | "stripe";
type CreatedSecret = RouterOutputs["workflow"]["createWebhookSecret"];

const SCHEMES: { value: Scheme; label: string; hint: string }[] = [
  { value: "agentflow", label: "AgentFlow-Signature", hint: "t=<unix>,v1=<HMAC-SHA256 of \"<t>.<body>\">, 5-minute tolerance; body { \"input\": … }" },
  { value: "github", label: "GitHub (X-Hub-Signature-256)", hint: "sha256=<HMAC-SHA256 of the body>; the whole payload is the input; X-GitHub-Delivery refuses replays" },
  { value: "stripe", label: "Stripe (Stripe-Signature)", hint: "paste the endpoint's whsec_… secret from Stripe; the whole event is the input" },
];

const SELECT =
  "block h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-xs focus:border-accent-500 focus:ring-2 focus:ring-accent-500/20 focus:outline-none";

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A shell example that signs `body` with openssl exactly as the scheme's sender does and posts it.
 * (`openssl dgst -hex` prints "SHA2-256(stdin)= <hex>" or "(stdin)= <hex>": the last field is the hex.)
 */
export function signedCurlExample(scheme: Scheme, url: string, secret: string, body: string): string {
  const lines = [`SECRET=${shellQuote(secret)}`, `BODY=${shellQuote(body)}`];
  if (scheme === "github") {
    lines.push(`SIG=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | awk '{print $NF}')`);
    lines.push(
      `curl -X POST ${url} -H "Content-Type: application/json" -H "X-GitHub-Event: push" -H "X-GitHub-Delivery: $(date +%s%N)" -H "X-Hub-Signature-256: sha256=$SIG" -d "$BODY"`,
    );
  } else {
    const header = scheme === "stripe" ? "Stripe-Signature" : "AgentFlow-Signature";
    lines.push("TS=$(date +%s)");
    lines.push(`SIG=$(printf '%s.%s' "$TS" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | awk '{print $NF}')`);
    lines.push(`curl -X POST ${url} -H "Content-Type: application/json" -H "${header}: t=$TS,v1=$SIG" -d "$BODY"`);
  }
  return lines.join("\n");
}

/**
 * The Trigger panel's "Signed webhook" section: a second way in, for senders that sign their
 * requests (GitHub, Stripe, or our AgentFlow-Signature) instead of sending a bearer token.
 */
export function WebhookSettings({
  workflowId,
  triggerUrl,
  input,
  manage,
}: {
  workflowId: string;
  triggerUrl: string;
  /** The example run input (the trigger's sample, completed with defaults). */
  input: unknown;
  manage: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.workflow.webhookSettings.queryOptions({ workflowId }));
  const [scheme, setScheme] = useState<Scheme>("agentflow");
  const [pasted, setPasted] = useState("");
  const [created, setCreated] = useState<CreatedSecret | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries(trpc.workflow.webhookSettings.queryFilter({ workflowId }));
  const onSecret = {
    onSuccess: (secret: CreatedSecret) => {
      setCreated(secret);
      setPasted("");
      setError(null);
      void refresh();
    },
    onError: (cause: unknown) => setError(errorMessage(cause)),
  };
  const createSecret = useMutation(trpc.workflow.createWebhookSecret.mutationOptions(onSecret));
  const rotateSecret = useMutation(trpc.workflow.rotateWebhookSecret.mutationOptions(onSecret));
  const changeScheme = useMutation(
    trpc.workflow.setWebhookScheme.mutationOptions({ onSuccess: () => void refresh(), onError: (cause) => setError(errorMessage(cause)) }),
  );
  const deleteSecret = useMutation(
    trpc.workflow.deleteWebhookSecret.mutationOptions({
      onSuccess: () => {
        setCreated(null);
        setError(null);
        void refresh();
      },
      onError: (cause) => setError(errorMessage(cause)),
    }),
  );

  if (settings.isPending) return null;
  const current = settings.data ?? null;
  const activeScheme: Scheme = current?.scheme ?? scheme;
  const needsPaste = activeScheme === "stripe";
  const body = activeScheme === "agentflow" ? JSON.stringify({ input }) : JSON.stringify(input ?? {});
  const busy = createSecret.isPending || rotateSecret.isPending || deleteSecret.isPending || changeScheme.isPending;
  const pastedSecret = pasted.trim() || undefined;

  return (
    <section className="space-y-2" data-testid="webhook-settings">
      <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">Signed webhook</h3>
      <p className="text-xs text-slate-500">
        Senders that sign requests with a shared secret call the same URL without a token. The raw body is verified before it is read; a stale, replayed or
        wrong signature is refused with a 401 saying why.
      </p>

      <label className="block space-y-1 text-xs text-slate-600">
        <span className="font-medium">Signature scheme</span>
        <select
          className={SELECT}
          aria-label="Signature scheme"
          value={activeScheme}
          disabled={!manage || busy}
          onChange={(event) => {
            const next = event.target.value as Scheme;
            if (current) changeScheme.mutate({ workflowId, scheme: next });
            else setScheme(next);
          }}
        >
          {SCHEMES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        <span className="block text-[11px] text-slate-500">{SCHEMES.find((option) => option.value === activeScheme)?.hint}</span>
      </label>

      {manage && needsPaste && (
        <label className="block space-y-1 text-xs text-slate-600">
          <span className="font-medium">Stripe signing secret</span>
          <input
            type="password"
            autoComplete="off"
            placeholder="whsec_…"
            value={pasted}
            onChange={(event) => setPasted(event.target.value)}
            className="block h-8 w-full rounded-md border border-slate-300 bg-white px-2 font-mono text-xs focus:border-accent-500 focus:outline-none"
          />
        </label>
      )}

      {current ? (
        <div className="flex items-center gap-2 rounded-md border border-slate-200 bg-white px-2.5 py-2" data-testid="webhook-secret">
          <div className="min-w-0 flex-1">
            <code className="font-mono text-xs text-slate-800">{current.prefix}…</code>
            <p className="text-[11px] text-slate-500">
              created {formatRelative(current.createdAt)}
              {current.rotatedAt ? ` · rotated ${formatRelative(current.rotatedAt)}` : ""}
            </p>
          </div>
          {manage && (
            <>
              <Button size="sm" variant="ghost" disabled={busy || (needsPaste && !pastedSecret)} onClick={() => rotateSecret.mutate({ workflowId, secret: pastedSecret })}>
                Rotate
              </Button>
              <Button size="sm" variant="danger" disabled={busy} aria-label="Delete signing secret" onClick={() => deleteSecret.mutate({ workflowId })}>
                Delete
              </Button>
            </>
          )}
        </div>
      ) : manage ? (
        <Button size="sm" disabled={busy || (needsPaste && !pastedSecret)} onClick={() => createSecret.mutate({ workflowId, scheme, secret: pastedSecret })}>
          <KeyIcon className="size-3.5" />
          Create signing secret
        </Button>
      ) : (
        <p className="text-xs text-slate-500">No signing secret. Editors create one.</p>
      )}

      {created && (
        <div className="space-y-2 rounded-md border border-emerald-200 bg-emerald-50 p-3" data-testid="new-webhook-secret">
          <p className="text-xs font-medium text-emerald-900">Copy this secret now: it is stored encrypted and will not be shown again.</p>
          <CopyField value={created.secret} label="Copy signing secret" testId="new-webhook-secret-value" />
          <p className="text-xs font-medium text-emerald-900">Example (signs with openssl)</p>
          <CopyField value={signedCurlExample(created.scheme, triggerUrl, created.secret, body)} label="Copy signed curl example" multiline testId="webhook-curl-example" />
        </div>
      )}
      {!created && current && (
        <details className="text-xs text-slate-600">
          <summary className="cursor-pointer">Example (signs with openssl)</summary>
          <div className="mt-1.5">
            <CopyField value={signedCurlExample(current.scheme, triggerUrl, "<your signing secret>", body)} label="Copy signed curl example" multiline />
          </div>
        </details>
      )}
      {error && (
        <p role="alert" className="text-xs text-red-600">
          {error}
        </p>
      )}
    </section>
  );
}
