/**
 * The provider's structure, as issue 19 set it: no module imports itself back through others
 * (config and the targets in particular), and the handlers learn what a target can do from
 * its capabilities, never by comparing its name.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { CAPABILITIES } from "../../provider/targets/capabilities";
import { TARGETS } from "../../provider/config";

const ROOT = path.join(__dirname, "..", "..", "provider");

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

/** The provider modules a module imports (relative imports, type-only ones included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"/g), ...text.matchAll(/require\("(\.[^"]+)"\)/g)].map((m) => m[1]!);
  return specs
    .map((s) => path.resolve(path.dirname(file), s))
    .map((p) => (p.endsWith(".ts") ? p : readdirSafe(p) ? path.join(p, "index.ts") : `${p}.ts`))
    .filter((p) => p.startsWith(ROOT + path.sep));
}

function readdirSafe(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (m: string) => {
    state.set(m, "open");
    stack.push(m);
    for (const next of graph.get(m) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(m, "done");
  };
  for (const m of graph.keys()) if (!state.has(m)) visit(m);
  return found;
}

const rel = (p: string) => path.relative(ROOT, p);

describe("the provider's structure", () => {
  const files = modules(ROOT);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it("reads the imports it checks (the graph is not empty)", () => {
    expect(graph.get(path.join(ROOT, "targets", "index.ts"))!.map(rel)).to.include("config.ts");
  });

  it("has no import cycle among its modules", () => {
    expect(cycles(graph).map((c) => c.map(rel).join(" -> "))).to.deep.equal([]);
  });

  it("config imports no target", () => {
    expect(graph.get(path.join(ROOT, "config.ts"))!.map(rel).filter((m) => m.startsWith("targets"))).to.deep.equal([]);
  });

  it("the handlers never compare a target's name (they read its capabilities)", () => {
    for (const handler of ["serviceAccount.ts", "apiToken.ts", "scopeBinding.ts", "access.ts"]) {
      const text = readFileSync(path.join(ROOT, handler), "utf8");
      for (const name of TARGETS) expect(text, handler).not.to.include(`"${name}"`);
    }
  });

  it("every target has its capabilities stated", () => {
    expect(Object.keys(CAPABILITIES).sort()).to.deep.equal([...TARGETS].sort());
  });
});
