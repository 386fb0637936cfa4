"use client";

import { useCan } from "@/components/session/session-context";
import { CredentialCreateCard } from "./credential-create-card";
import { CredentialsTable } from "./credentials-table";
import { Card, RoleNote, SettingsHeader } from "./section";

/** /settings/credentials: names and masked previews for editors; admins add, rotate and delete. */
export function CredentialsSettings() {
  const canList = useCan("credential:list");
  const canManage = useCan("credential:manage");
  return (
    <div>
      <SettingsHeader title="Credentials" description="Secrets your workflows' tools send to other services — API tokens, passwords, keys. Tools use them by name; values never reach the browser." />
      {!canList ? (
        <RoleNote title="Only admins can manage credentials.">Editors and above see their names, to use them in tools; your role cannot.</RoleNote>
      ) : (
        <>
          {!canManage && <RoleNote title="Only admins can add, rotate or delete credentials.">You can use the ones below in your workflows&apos; tools.</RoleNote>}
          <CredentialsTable canManage={canManage} />
          {canManage && <CredentialCreateCard />}
          <UsageHelp />
        </>
      )}
    </div>
  );
}

function UsageHelp() {
  return (
    <Card title="Using a credential in a workflow">
      <ul className="list-disc space-y-1.5 pl-5 text-sm text-slate-600">
        <li>
          Write <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs whitespace-nowrap text-slate-800">{"{{credentials.<name>}}"}</code> in a tool&apos;s arguments or headers, e.g.{" "}
          <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs whitespace-nowrap text-slate-800">{'"Authorization": "Bearer {{credentials.github}}"'}</code>. It becomes the token, the header value or the secret when
          the tool runs.
        </li>
        <li>
          Or pick it in the <strong className="font-medium text-slate-800">credential picker</strong> of the <code className="font-mono text-xs">http_request</code> tool, which sets the right header for you (the only
          way to use basic auth).
        </li>
        <li>Requests carrying it may go only to its allowed hosts; run output never shows the value.</li>
      </ul>
    </Card>
  );
}
