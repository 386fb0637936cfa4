import { WorkflowList } from "@/components/workflows/workflow-list";

export default function WorkflowsPage() {
  return <WorkflowList />;
}
