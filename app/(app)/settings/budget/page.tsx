import { BudgetSettings } from "@/components/settings/budget-settings";

export const metadata = { title: "Budget · Settings · AgentFlow" };

export default function BudgetSettingsPage() {
  return <BudgetSettings />;
}
