/**
 * Where a `pulumi` run spends its time between the engine and the dynamic provider: reads the
 * engine's log (`pulumi … --logflow -v=7 --logtostderr`, as `BENCH_ENGINE_LOGS` makes
 * `bench/engine.ts` keep one per phase) and prints, per pass (a preview, then the update),
 * when the program's resources were registered and their steps done, then each provider call
 * (Check, Diff, Create, Update, Read, Delete) by kind: how many, their summed and mean time.
 *
 *   node --import tsx bench/provider-calls.ts <log> [<log> ...]
 */
import { readFileSync } from "node:fs";

interface Pass {
  start: number;
  registered: number[];
  finished: number[];
}

const CALL = /^Provider\[[^\]]*\]\.(\w+)\((?:[^,]*,)?urn:[^:]*:[^:]*::[^:]*::((?:[^:]|:(?!:))*)::([^,)]*)/;

function analyse(file: string): void {
  const passes: Pass[] = [];
  const started = new Map<string, number>();
  const calls = new Map<string, number[]>();
  let t0: number | undefined;
  let last = 0;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    let entry: { time?: string; msg?: string };
    try {
      entry = JSON.parse(line) as { time?: string; msg?: string };
    } catch {
      continue;
    }
    if (!entry.time || entry.msg === undefined) continue;
    const at = Date.parse(entry.time) / 1000;
    t0 ??= at;
    last = at - t0;
    const msg = entry.msg;
    if (msg.includes("*** Starting Update(")) passes.push({ start: last, registered: [], finished: [] });
    const pass = passes.at(-1);
    if (pass && msg.startsWith("ResourceMonitor.RegisterResource received")) pass.registered.push(last);
    if (pass && msg.startsWith("ResourceMonitor.RegisterResource operation finished")) pass.finished.push(last);
    const m = CALL.exec(msg);
    if (!m) continue;
    const [, call, type, name] = m;
    const key = `${call} ${name}`;
    if (msg.includes(" executing")) started.set(key, last);
    else if ((msg.includes("success") || msg.includes("failed")) && started.has(key)) {
      const kind = `${call} ${type!.split(/[/:]/).at(-1)}`;
      calls.set(kind, [...(calls.get(kind) ?? []), last - started.get(key)!]);
      started.delete(key);
    }
  }
  const s = (x: number | undefined) => (x === undefined ? "-" : `${x.toFixed(2)} s`);
  console.log(`${file}: ${s(last)} from the first log line to the last`);
  for (const [i, p] of passes.entries()) {
    console.log(
      `  pass ${i + 1} from ${s(p.start)}: ${p.registered.length} registrations, the first at ${s(p.registered[0])}, the last at ${s(p.registered.at(-1))}; the last step done at ${s(p.finished.at(-1))}`,
    );
  }
  for (const [kind, times] of [...calls].sort(([a], [b]) => a.localeCompare(b))) {
    const sum = times.reduce((a, b) => a + b, 0);
    console.log(`  ${kind.padEnd(24)} ${String(times.length).padStart(5)} calls, ${sum.toFixed(2).padStart(7)} s in all, ${((sum / times.length) * 1000).toFixed(1).padStart(6)} ms each`);
  }
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node --import tsx bench/provider-calls.ts <engine log> [...]");
  process.exitCode = 2;
}
for (const f of files) analyse(f);
