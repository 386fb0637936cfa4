import { NotificationsSettings } from "@/components/settings/notifications-settings";
import { getEnv } from "@/server/env";

export const metadata = { title: "Notifications · Settings · AgentFlow" };

export default function NotificationsSettingsPage() {
  // Whether email channels can deliver at all (the address itself never reaches the browser).
  return <NotificationsSettings smtpConfigured={getEnv().SMTP_URL !== undefined} />;
}
