// Entry point of a Python (Pyodide) sandbox thread; see run-code-thread.mjs for why tsx is
// registered here rather than inherited.
import { register } from "tsx/esm/api";

register();
await import("./run-python-thread.ts");
