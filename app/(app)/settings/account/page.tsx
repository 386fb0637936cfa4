import { AccountSettings } from "@/components/settings/account-settings";

export const metadata = { title: "Account · Settings · AgentFlow" };

export default function AccountSettingsPage() {
  return <AccountSettings />;
}
