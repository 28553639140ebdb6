import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export { rng } from "../../helpers/random";

let dir: string | undefined;

/** Writes a typed array's bytes to a temp file for the Python peer (np.fromfile). */
export function tempRaw(name: string, a: ArrayBufferView): string {
  dir ??= mkdtempSync(join(tmpdir(), "tomolyte-display-"));
  const p = join(dir, name);
  writeFileSync(p, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return p;
}
