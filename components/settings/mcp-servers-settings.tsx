"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useCan } from "@/components/session/session-context";
import { useTRPC, type RouterOutputs } from "@/components/trpc";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormError, TextField } from "@/components/ui/text-field";
import { fieldError, formError } from "./form-errors";
import { Card, DangerConfirm, QueryStateRows, RoleNote, SettingsHeader, SuccessNote, TD, TH } from "./section";
import { TableNotice, useRowDialogs } from "./row-dialogs";

type ServerList = RouterOutputs["mcpServers"]["list"];
type McpServer = ServerList["servers"][number];
type StoredTool = McpServer["tools"][number];

/**
 * /settings/mcp-servers: MCP servers whose tools this workspace's agents may call. Admins add
 * a server by URL (or one of the operator's local commands), "Test / refresh tools" lists
 * its tools; builders then pick tools in the agent inspector.
 */
export function McpServersSettings() {
  const canManage = useCan("credential:manage");
  const trpc = useTRPC();
  const list = useQuery(trpc.mcpServers.list.queryOptions());
  return (
    <div>
      <SettingsHeader
        title="MCP servers"
        description="Tools from Model Context Protocol servers, for your agents: add a server, test it to list its tools, then pick them in an agent's Tools. Auth header values stay in the vault."
      />
      {!canManage && <RoleNote title="Only admins can add, test or change MCP servers.">Your agents can use the tools listed below.</RoleNote>}
      <ServersTable canManage={canManage} query={list} />
      {canManage && <AddServerCard stdioCommands={list.data?.stdioCommands ?? []} />}
    </div>
  );
}

type ListQuery = { isPending: boolean; isError: boolean; error: unknown; data?: ServerList };

function ServersTable({ canManage, query }: { canManage: boolean; query: ListQuery }) {
  const dialogs = useRowDialogs<McpServer>();
  const rows = { isPending: query.isPending, isError: query.isError, error: query.error, data: query.data?.servers };
  const columns = canManage ? 5 : 4;
  return (
    <Card title="This workspace's MCP servers" flush>
      <TableNotice notice={dialogs.notice} />
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="MCP servers">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-500">
            <tr>
              <th scope="col" className={TH}>Name</th>
              <th scope="col" className={TH}>Where</th>
              <th scope="col" className={TH}>Auth</th>
              <th scope="col" className={TH}>Tools</th>
              {canManage && (
                <th scope="col" className={`${TH} w-64`}>
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryStateRows query={rows} colSpan={columns} loading="Loading MCP servers…" empty={<>No MCP servers yet.{canManage ? " Add one below." : ""}</>} />
            {rows.data?.map((server) => (
              <ServerRow
                key={server.id}
                server={server}
                canManage={canManage}
                columns={columns}
                onEdit={() => dialogs.edit(server)}
                onDelete={() => dialogs.remove(server)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {dialogs.editing && <EditDialog server={dialogs.editing} onClose={dialogs.closeDialogs} onDone={() => dialogs.done(`Saved “${dialogs.editing?.name}”.`)} />}
      {dialogs.deleting && <DeleteDialog server={dialogs.deleting} onClose={dialogs.closeDialogs} onDone={() => dialogs.done(`Removed “${dialogs.deleting?.name}”.`)} />}
    </Card>
  );
}

function ServerRow({ server, canManage, columns, onEdit, onDelete }: { server: McpServer; canManage: boolean; columns: number; onEdit: () => void; onDelete: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = useMutation(
    trpc.mcpServers.refresh.mutationOptions({
      onSettled: () => void queryClient.invalidateQueries(trpc.mcpServers.pathFilter()),
    }),
  );
  const usable = server.tools.filter((tool) => tool.refused === null).length;
  const refused = server.tools.length - usable;
  const error = refresh.isError ? refresh.error.message : refresh.data && !refresh.data.ok ? refresh.data.error : null;
  return (
    <>
      <tr data-mcp-server={server.name} className="hover:bg-slate-50/60">
        <td className={TD}>
          <span className="font-medium text-slate-900">{server.name}</span>
          <div className="mt-0.5 text-xs text-slate-500">
            {server.transport === "http" ? "Streamable HTTP" : "Local command (stdio)"} · calls time out after {server.callTimeoutSeconds} s
          </div>
        </td>
        <td className={TD}>
          <code className="font-mono text-xs break-all text-slate-700">{server.transport === "http" ? server.url : server.command}</code>
        </td>
        <td className={`${TD} whitespace-nowrap`}>
          {server.transport === "http" ? (
            <span className={`rounded px-1.5 py-0.5 text-xs ${server.authValueSet ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-slate-500"}`}>
              {server.authValueSet ? `${server.authHeaderName} set` : "none"}
            </span>
          ) : (
            <span className="text-xs text-slate-400">—</span>
          )}
        </td>
        <td className={`${TD} whitespace-nowrap text-slate-600`}>
          {server.toolsRefreshedAt ? (
            <>
              {usable} tool{usable === 1 ? "" : "s"}
              {refused > 0 && <span className="ml-1 text-amber-700">({refused} refused)</span>}
              <div className="text-xs text-slate-400">listed {new Date(server.toolsRefreshedAt).toLocaleString()}</div>
            </>
          ) : (
            <span className="text-xs text-slate-500">not listed yet</span>
          )}
        </td>
        {canManage && (
          <td className={`${TD} text-right whitespace-nowrap`}>
            <Button size="sm" variant="ghost" aria-label={`Test and refresh the tools of ${server.name}`} disabled={refresh.isPending} onClick={() => refresh.mutate({ id: server.id })}>
              {refresh.isPending ? "Connecting…" : "Test / refresh tools"}
            </Button>
            {server.transport === "http" && (
              <Button size="sm" variant="ghost" aria-label={`Edit ${server.name}`} onClick={onEdit}>
                Edit
              </Button>
            )}
            <Button size="sm" variant="danger" aria-label={`Remove ${server.name}`} onClick={onDelete}>
              Remove
            </Button>
          </td>
        )}
      </tr>
      {(error || server.lastError || server.tools.length > 0) && (
        <tr>
          <td colSpan={columns} className="px-5 pb-4" data-testid={`mcp-tools-${server.name}`}>
            {(error ?? server.lastError) && (
              <p role="alert" className="mb-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-700">
                {error ?? `Last test failed: ${server.lastError}`}
              </p>
            )}
            {refresh.data?.ok && <p className="mb-2 text-xs text-emerald-700">Connected — {refresh.data.tools.length} tools listed.</p>}
            {server.tools.length > 0 && <ToolList tools={server.tools} />}
          </td>
        </tr>
      )}
    </>
  );
}

function ToolList({ tools }: { tools: StoredTool[] }) {
  return (
    <ul className="divide-y divide-slate-100 rounded-md border border-slate-200 bg-white" aria-label="Tools">
      {tools.map((tool) => (
        <li key={tool.tool} className="px-3 py-2" data-tool={tool.tool}>
          <div className="flex flex-wrap items-center gap-2">
            <code className={`font-mono text-xs font-medium ${tool.refused ? "text-slate-400 line-through" : "text-slate-900"}`}>{tool.tool}</code>
            {tool.destructive && <span className="rounded bg-amber-50 px-1.5 py-0.5 text-[11px] font-medium text-amber-800">destructive · asks before each call</span>}
            {tool.refused && <span className="rounded bg-red-50 px-1.5 py-0.5 text-[11px] font-medium text-red-700">refused</span>}
          </div>
          {tool.description && <p className="mt-0.5 text-xs text-slate-600">{tool.description}</p>}
          {tool.refused && <p className="mt-0.5 text-xs text-red-700">Not offered to agents: {tool.refused}</p>}
        </li>
      ))}
    </ul>
  );
}

type Draft = { transport: "http" | "stdio"; name: string; url: string; authHeaderName: string; authValue: string; command: string; callTimeoutSeconds: string };

const SHOWN = ["name", "url", "authHeaderName", "authValue", "command", "callTimeoutSeconds"];

function AddServerCard({ stdioCommands }: { stdioCommands: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const empty: Draft = { transport: "http", name: "", url: "", authHeaderName: "Authorization", authValue: "", command: stdioCommands[0] ?? "", callTimeoutSeconds: "30" };
  const [draft, setDraft] = useState<Draft>(empty);
  const [saved, setSaved] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const create = useMutation(
    trpc.mcpServers.create.mutationOptions({
      onSuccess: (server) => {
        setSaved(server.name);
        // The auth value leaves the page's state once the server has it.
        setDraft(empty);
        void queryClient.invalidateQueries(trpc.mcpServers.pathFilter());
      },
    }),
  );
  const error = create.error;
  const errorFor = (path: string, label: string) => fieldError(error, path, label);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const callTimeoutSeconds = Number(draft.callTimeoutSeconds) || 30;
    if (draft.transport === "stdio") create.mutate({ transport: "stdio", name: draft.name.trim(), command: draft.command, callTimeoutSeconds });
    else
      create.mutate({
        transport: "http",
        name: draft.name.trim(),
        url: draft.url.trim(),
        authHeaderName: draft.authHeaderName.trim() || "Authorization",
        ...(draft.authValue.trim() ? { authValue: draft.authValue.trim() } : {}),
        callTimeoutSeconds,
      });
  };
  return (
    <Card title="Add an MCP server" description="Then use “Test / refresh tools” to list its tools.">
      <form onSubmit={submit} className="max-w-2xl space-y-3" autoComplete="off" data-testid="mcp-server-form">
        <div className="grid gap-3 sm:grid-cols-2">
          <TextField label="Name" placeholder="github" required maxLength={60} spellCheck={false} value={draft.name} onChange={(event) => set({ name: event.target.value })} hint="Shown with its tools in the agent inspector." error={errorFor("name", "The name")} />
          <div className="text-sm">
            <label htmlFor="mcp-transport" className="font-medium text-slate-700">
              Connection
            </label>
            <select
              id="mcp-transport"
              value={draft.transport}
              onChange={(event) => set({ transport: event.target.value === "stdio" ? "stdio" : "http" })}
              className="mt-1 block h-9 w-full rounded-md border border-slate-300 bg-white px-2 text-sm"
            >
              <option value="http">URL (Streamable HTTP)</option>
              <option value="stdio" disabled={stdioCommands.length === 0}>
                Local command (stdio){stdioCommands.length === 0 ? " — disabled by the operator" : ""}
              </option>
            </select>
          </div>
        </div>
        {draft.transport === "http" ? (
          <>
            <TextField label="URL" placeholder="https://mcp.example.com/mcp" required spellCheck={false} value={draft.url} onChange={(event) => set({ url: event.target.value })} hint="The server's Streamable HTTP endpoint (often ending in /mcp)." error={errorFor("url", "The URL")} />
            <div className="grid gap-3 sm:grid-cols-2">
              <TextField label="Auth header" spellCheck={false} value={draft.authHeaderName} onChange={(event) => set({ authHeaderName: event.target.value })} error={errorFor("authHeaderName", "The header name")} />
              <TextField
                label="Auth header value (optional)"
                type="password"
                placeholder="Bearer …"
                spellCheck={false}
                value={draft.authValue}
                onChange={(event) => set({ authValue: event.target.value })}
                hint="Stored encrypted in the vault; never shown again."
                error={errorFor("authValue", "The value")}
              />
            </div>
          </>
        ) : (
          <div className="text-sm">
            <label htmlFor="mcp-command" className="font-medium text-slate-700">
              Command
            </label>
            <select id="mcp-command" value={draft.command} onChange={(event) => set({ command: event.target.value })} className="mt-1 block h-9 w-full rounded-md border border-slate-300 bg-white px-2 font-mono text-xs">
              {stdioCommands.map((command) => (
                <option key={command} value={command}>
                  {command}
                </option>
              ))}
            </select>
            <p className="mt-1 text-xs text-slate-500">The commands the operator allows (MCP_STDIO_COMMANDS); each runs on the worker&apos;s host.</p>
            {errorFor("command", "The command") && <p className="mt-1 text-xs text-red-700">{errorFor("command", "The command")}</p>}
          </div>
        )}
        <TextField
          label="Call timeout (seconds)"
          type="number"
          min={1}
          max={300}
          value={draft.callTimeoutSeconds}
          onChange={(event) => set({ callTimeoutSeconds: event.target.value })}
          hint="A tool call that takes longer fails with a timeout error the agent sees."
          error={errorFor("callTimeoutSeconds", "The timeout")}
          className="max-w-xs"
        />
        <FormError message={formError(error, SHOWN)} />
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? "Saving…" : "Add server"}
        </Button>
      </form>
      {saved && (
        <div className="mt-3">
          <SuccessNote>Added “{saved}”. Test it to list its tools.</SuccessNote>
        </div>
      )}
    </Card>
  );
}

function EditDialog({ server, onClose, onDone }: { server: McpServer; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState(server.url ?? "");
  const [authValue, setAuthValue] = useState("");
  const [timeout, setTimeoutText] = useState(String(server.callTimeoutSeconds));
  const update = useMutation(
    trpc.mcpServers.update.mutationOptions({
      onSuccess: () => {
        onDone();
        void queryClient.invalidateQueries(trpc.mcpServers.pathFilter());
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ id: server.id, url: url.trim(), ...(authValue.trim() ? { authValue: authValue.trim() } : {}), callTimeoutSeconds: Number(timeout) || server.callTimeoutSeconds });
  };
  return (
    <ConfirmDialog title={`Edit “${server.name}”`} onCancel={onClose} actions={null}>
      <form onSubmit={submit} className="space-y-3" autoComplete="off">
        <TextField label="URL" required spellCheck={false} value={url} onChange={(event) => setUrl(event.target.value)} error={fieldError(update.error, "url", "The URL")} />
        <TextField
          label={`${server.authHeaderName} value`}
          type="password"
          spellCheck={false}
          value={authValue}
          placeholder={server.authValueSet ? "Set — type a new value to replace it" : ""}
          onChange={(event) => setAuthValue(event.target.value)}
          hint={server.authValueSet ? "A value is set. It is never shown; leave empty to keep it." : "Stored encrypted in the vault."}
          error={fieldError(update.error, "authValue", "The value")}
        />
        <TextField label="Call timeout (seconds)" type="number" min={1} max={300} value={timeout} onChange={(event) => setTimeoutText(event.target.value)} error={fieldError(update.error, "callTimeoutSeconds", "The timeout")} />
        <FormError message={formError(update.error, SHOWN)} />
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </Button>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
        </div>
      </form>
    </ConfirmDialog>
  );
}

function DeleteDialog({ server, onClose, onDone }: { server: McpServer; onClose: () => void; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.mcpServers.delete.mutationOptions({
      onSuccess: () => {
        onDone();
        void queryClient.invalidateQueries(trpc.mcpServers.pathFilter());
      },
    }),
  );
  return (
    <DangerConfirm
      title={`Remove “${server.name}”?`}
      confirmLabel="Remove server"
      pending={remove.isPending}
      error={remove.isError ? remove.error : null}
      onConfirm={() => remove.mutate({ id: server.id })}
      onCancel={onClose}
    >
      <p>Agents that picked its tools get an error when they call them, until the builder picks other tools. The auth value cannot be recovered.</p>
    </DangerConfirm>
  );
}
