import { CompareView } from "@/components/runs/compare-view";

/** /runs/compare?a=<runId>&b=<runId>: two runs side by side. */
export default async function CompareRunsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null;
  return <CompareView a={first(params.a)} b={first(params.b)} />;
}
