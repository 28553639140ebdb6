/** Streaming zlib/gzip/raw-deflate decompression with a hard cap on the output size (no zip bombs). */
import { Decompress } from "fflate";
import { throwIfAborted } from "../errors";
import { type InputFile, corrupt } from "./fsutil";

/**
 * Inflates `length` compressed bytes at `offset` of `file` into `dst`, which must
 * be filled exactly (CORRUPT_FILE if the stream yields more or fewer bytes).
 */
export async function inflateInto(
  file: InputFile,
  offset: number,
  length: number,
  dst: Uint8Array,
  opts: { signal?: AbortSignal; onProgress?: (f: number) => void },
): Promise<void> {
  let produced = 0;
  let overflow = false;
  const d = new Decompress((chunk) => {
    if (produced + chunk.length > dst.length) {
      overflow = true;
      return;
    }
    dst.set(chunk, produced);
    produced += chunk.length;
  });
  const step = 1 << 22;
  try {
    for (let p = 0; p < length; p += step) {
      throwIfAborted(opts.signal);
      const n = Math.min(step, length - p);
      const buf = await file.read(offset + p, n);
      d.push(buf, p + n >= length);
      if (overflow) throw corrupt(file.path, `compressed data expands beyond the ${dst.length} bytes the header declares`);
      opts.onProgress?.(produced / dst.length);
    }
  } catch (e) {
    if ((e as { code?: unknown }).code !== undefined && typeof (e as { code?: unknown }).code === "string") throw e;
    throw corrupt(file.path, `compressed data is damaged (${(e as Error).message})`);
  }
  if (produced !== dst.length) throw corrupt(file.path, `compressed data holds ${produced} bytes, the header declares ${dst.length}`);
}
