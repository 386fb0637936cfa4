import { CredentialsSettings } from "@/components/settings/credentials-settings";

export const metadata = { title: "Credentials · Settings · AgentFlow" };

export default function CredentialsSettingsPage() {
  return <CredentialsSettings />;
}
