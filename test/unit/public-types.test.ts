// Runs the type-level tests in test/types/ against the built package's .d.ts,
// as a user's TypeScript (or the tslab kernel) sees them.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { resolve } from "node:path";

const root = resolve(__dirname, "../..");

describe("public types", () => {
  it("compile as documented, and misuse fails to compile", () => {
    execFileSync("npx", ["tsc", "-b", "kernel-lib"], { cwd: root, stdio: "pipe" });
    let output = "";
    try {
      execFileSync("npx", ["tsc", "-p", "test/types/tsconfig.json"], { cwd: root, stdio: "pipe", encoding: "utf8" });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe("");
  }, 180_000);
});
