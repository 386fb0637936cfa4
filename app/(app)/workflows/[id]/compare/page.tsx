import { VersionDiffView } from "@/components/editor/diff/version-diff-view";

/** /workflows/<id>/compare?from=<versionId>&to=<versionId>: two versions of a workflow, diffed on a canvas and as JSON. */
export default async function CompareVersionsPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null;
  return <VersionDiffView workflowId={id} fromVersionId={first(query.from)} toVersionId={first(query.to)} />;
}
