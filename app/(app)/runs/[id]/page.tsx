import { RunView } from "@/components/runs/run-view";

/** `?task=<id>` (the link in a notification) opens the run with that task's node selected. */
export default async function RunPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ task?: string | string[] }> }) {
  const [{ id }, { task }] = await Promise.all([params, searchParams]);
  return <RunView runId={id} focusTaskId={typeof task === "string" ? task : undefined} />;
}
