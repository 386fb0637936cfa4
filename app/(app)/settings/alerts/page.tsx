import { AlertSettings } from "@/components/settings/alert-settings";

export const metadata = { title: "Alerts · Settings · AgentFlow" };

export default function AlertSettingsPage() {
  return <AlertSettings />;
}
