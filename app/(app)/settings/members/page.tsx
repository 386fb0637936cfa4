import { MembersSettings } from "@/components/settings/members-settings";
import { roleInfos } from "../settings-data";

export const metadata = { title: "Members · Settings · AgentFlow" };

export default function MembersSettingsPage() {
  return <MembersSettings roles={roleInfos()} />;
}
