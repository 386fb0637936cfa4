// Entry point of the run_code sandbox thread.
// Node 20 cannot load TypeScript by itself, and a worker_threads Worker does not inherit the
// loader tsx installs in the main thread, so the thread registers tsx before loading its code.
import { register } from "tsx/esm/api";

register();
await import("./run-code-thread.ts");
