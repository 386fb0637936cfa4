import { handleDemoModelRequest } from "@/server/llm/demo-model";

export const dynamic = "force-dynamic";

export { handleDemoModelRequest as GET, handleDemoModelRequest as POST };
