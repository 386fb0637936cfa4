#!/usr/bin/env node
// `npx agentflow …`: the CLI is TypeScript (cli/main.ts), loaded through tsx like the worker.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
