import { AuditLog } from "@/components/settings/audit-log";

export const metadata = { title: "Audit log · Settings · AgentFlow" };

export default function AuditSettingsPage() {
  return <AuditLog />;
}
