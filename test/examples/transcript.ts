import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { TestStack } from "../e2e/workspace";

/**
 * What the engine showed or emitted for this stack, for the "no secret" checks: its
 * printed output and every event, except debug diagnostics.
 *
 * Why those are left out: @pulumi/pulumi's Node.js runtime logs each RegisterResource
 * response at debug level, verbatim, secret outputs included (runtime/resource.js,
 * "RegisterResource RPC finished"). The CLI prints debug diagnostics only with `--debug`
 * or `-v`, and they reach the Automation API's event stream as `severity: "debug"`. No
 * provider can prevent that; the README's CI recipe says not to run with `--debug`.
 */
export function shownText(stack: TestStack): string {
  return stack.transcript
    .map((r) =>
      [
        r.stdout,
        r.stderr,
        // The Automation API's type omits "debug", which the engine does send.
        ...r.events.filter((e: EngineEvent) => (e.diagnosticEvent?.severity as string | undefined) !== "debug").map((e) => JSON.stringify(e)),
      ].join("\n"),
    )
    .join("\n");
}
