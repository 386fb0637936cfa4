import { headers } from "next/headers";
import { WorkflowEditor } from "@/components/editor/workflow-editor";
import { encodeOutput } from "@/lib/wire";
import { appRouter } from "@/server/api/root";
import { createCallerFactory, createTrpcContext } from "@/server/api/trpc";

const createCaller = createCallerFactory(appRouter);

/**
 * The workflow as `workflow.get` answers this request (same procedure, same access checks),
 * wire-encoded as the HTTP API would send it. Started while the page renders and streamed
 * with it, so the editor has its graph as soon as its code runs, instead of asking for it
 * only after hydration (a round trip that, with a 1,000-node graph, was a tenth of the open).
 * Any failure gives null: the editor then asks the API itself and shows that answer's error.
 */
async function preloadWorkflow(id: string): Promise<string | null> {
  try {
    const req = new Request("http://localhost/", { headers: await headers() });
    const caller = createCaller(await createTrpcContext({ req, resHeaders: new Headers() }));
    return JSON.stringify(encodeOutput(await caller.workflow.get({ id })));
  } catch {
    return null;
  }
}

export default async function WorkflowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Not awaited: the page's shell streams at once and the workflow follows in the same response.
  return <WorkflowEditor workflowId={id} preloaded={preloadWorkflow(id)} />;
}
