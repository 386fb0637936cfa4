import { z } from "zod";

/**
 * The browser runs the app under a CSP without 'unsafe-eval'. Zod 4 compiles object parsers
 * with `new Function` where it can, and merely probing for that is a CSP violation (the Runs
 * page's filters and the editor parse with the engine's schemas): in the browser, zod parses
 * without compiling. Imported first by the client root (app/providers.tsx).
 */
z.config({ jitless: true });
