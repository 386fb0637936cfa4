import { ProvidersSettings } from "@/components/settings/providers-settings";

export const metadata = { title: "Model providers · Settings · AgentFlow" };

export default function ProvidersSettingsPage() {
  return <ProvidersSettings />;
}
