import { PricesSettings } from "@/components/settings/prices-settings";

export const metadata = { title: "Model prices · Settings · AgentFlow" };

export default function PricesSettingsPage() {
  return <PricesSettings />;
}
