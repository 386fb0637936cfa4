/**
 * Lets a bench part run on its own (`tsx scripts/bench-<part>.ts`): when `moduleUrl` is the
 * script node was started with, runs `part`, prints its lines and exits (1 on an error).
 */
export function runAloneIfMain(moduleUrl: string, part: () => Promise<string[]>): void {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  part().then(
    (lines) => {
      console.log(lines.join("\n"));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
