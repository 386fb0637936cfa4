import { GeneralSettings } from "@/components/settings/general-settings";
import { permissionRows, roleInfos } from "./settings-data";

export const metadata = { title: "Settings · AgentFlow" };

export default function GeneralSettingsPage() {
  return <GeneralSettings roles={roleInfos()} permissions={permissionRows()} />;
}
