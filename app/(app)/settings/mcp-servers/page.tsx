import { McpServersSettings } from "@/components/settings/mcp-servers-settings";

export const metadata = { title: "MCP servers · Settings · AgentFlow" };

export default function McpServersSettingsPage() {
  return <McpServersSettings />;
}
