import { RunsTable } from "@/components/runs/runs-table";

export default function RunsPage() {
  return <RunsTable />;
}
