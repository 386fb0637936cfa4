import { ApiKeysSettings } from "@/components/settings/api-keys-settings";
import { getEnv } from "@/server/env";
import { scopeInfos } from "../settings-data";

export const metadata = { title: "API keys · Settings · AgentFlow" };

export default function ApiKeysSettingsPage() {
  // The address other systems call (as the trigger URLs say), not whatever host the browser used.
  return <ApiKeysSettings scopes={scopeInfos()} appUrl={getEnv().APP_URL} />;
}
