/** Shared helpers of the io tests: temp folders and the Python peer. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import { isTomolyteError } from "../../../kernel-lib/src";

export { runPython } from "../../helpers/python";

export function tempDir(prefix = "tomolyte-io-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Awaits `p` and checks it failed with a TomolyteError of `code`; returns the error. */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<Error & { code: string }> {
  let err: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a TomolyteError ${code}`).toBeDefined();
  expect(isTomolyteError(err), `not a TomolyteError: ${String(err)}`).toBe(true);
  expect((err as { code: string }).code, (err as Error).message).toBe(code);
  return err as Error & { code: string };
}

/** Entries of a folder (to check no temp file was left). */
export function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

export const quiet = { onWarning: () => undefined };
