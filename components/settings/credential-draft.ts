import { CREDENTIAL_NAME_PATTERN } from "@/server/engine/template";
import type { CredentialKind, CredentialPreview, CredentialSecret } from "@/server/vault/credential-kinds";

/** What the kind-specific inputs hold while someone types (every kind's fields, one shape). */
export type SecretDraft = { kind: CredentialKind; token: string; username: string; password: string; headerName: string; headerValue: string; value: string };

export const EMPTY_DRAFT: SecretDraft = { kind: "bearer", token: "", username: "", password: "", headerName: "", headerValue: "", value: "" };

export const KIND_LABELS: Record<CredentialKind, string> = {
  bearer: "Bearer token",
  basic: "Basic auth (username and password)",
  header: "Custom header",
  secret: "Plain secret",
};

export const KIND_SHORT: Record<CredentialKind, string> = { bearer: "Bearer token", basic: "Basic auth", header: "Header", secret: "Secret" };

export const CREDENTIAL_KIND_LIST = Object.keys(KIND_LABELS) as CredentialKind[];

export function isCredentialKind(value: string): value is CredentialKind {
  return (CREDENTIAL_KIND_LIST as string[]).includes(value);
}

export function secretOf(draft: SecretDraft): CredentialSecret {
  switch (draft.kind) {
    case "bearer":
      return { kind: "bearer", token: draft.token.trim() };
    case "basic":
      return { kind: "basic", username: draft.username, password: draft.password };
    case "header":
      return { kind: "header", name: draft.headerName.trim(), value: draft.headerValue.trim() };
    case "secret":
      return { kind: "secret", value: draft.value };
  }
}

/** The one check worth doing before the round trip: nothing required is empty. The server checks the rest. */
export function missingField(draft: SecretDraft): { path: string; message: string } | null {
  switch (draft.kind) {
    case "bearer":
      return draft.token.trim() ? null : { path: "secret.token", message: "Enter the token" };
    case "basic":
      return draft.username ? null : { path: "secret.username", message: "Enter the username" };
    case "header":
      if (!draft.headerName.trim()) return { path: "secret.name", message: "Enter the header name" };
      return draft.headerValue.trim() ? null : { path: "secret.value", message: "Enter the header value" };
    case "secret":
      return draft.value ? null : { path: "secret.value", message: "Enter the value" };
  }
}

const DOTS = "••••";

/** "Bearer ••••abcd", "X-Api-Key: ••••", never more than the server's preview holds. */
export function previewText(preview: CredentialPreview): string {
  const masked = `${DOTS}${preview.last4 ?? ""}`;
  switch (preview.kind) {
    case "bearer":
      return `Bearer ${masked}`;
    case "basic":
      return `Basic ${masked}`;
    case "header":
      return `${preview.headerName ?? "header"}: ${masked}`;
    case "secret":
      return masked;
    default:
      return masked;
  }
}

export const HOSTS_HINT = "Comma-separated, e.g. api.github.com, *.example.com. Leave empty to allow any host the tool may call.";

/** The engine's own rule (pure code, shared with the server), so the form and the router agree. */
export const CREDENTIAL_NAME = CREDENTIAL_NAME_PATTERN;
/** As the router checks allowed hosts (server/api/routers/credentials.ts). */
const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** "api.github.com, *.example.com" → hosts, or the first one that is not a host name. */
export function parseHosts(text: string): { hosts: string[]; invalid: string | null } {
  const hosts = [...new Set(text.split(/[\s,]+/).map((host) => host.trim().toLowerCase()).filter(Boolean))];
  return { hosts, invalid: hosts.find((host) => !HOST.test(host)) ?? null };
}
