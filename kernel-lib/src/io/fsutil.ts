/** File-system helpers shared by the readers and writers: errors, reading ranges, atomic writes. */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { ERROR_CODES, TomolyteError, isTomolyteError } from "../errors";
import type { VoxelArray } from "../volume";

/** Turns a Node fs error into a TomolyteError (FILE_NOT_FOUND for missing/unreadable). */
export function fsError(e: unknown, file: string, doing: string): TomolyteError {
  if (isTomolyteError(e)) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return new TomolyteError(ERROR_CODES.FILE_NOT_FOUND, `${file} does not exist`, { path: file }, { cause: e });
  if (code === "EACCES" || code === "EPERM")
    return new TomolyteError(ERROR_CODES.FILE_NOT_FOUND, `${file} cannot be read (permission denied)`, { path: file }, { cause: e });
  if (code === "EISDIR") return new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${file} is a folder, not a file`, { path: file }, { cause: e });
  return new TomolyteError(
    ERROR_CODES.FILE_NOT_FOUND,
    `cannot ${doing} ${file}: ${(e as Error)?.message ?? String(e)}`,
    { path: file },
    { cause: e },
  );
}

export function corrupt(file: string, what: string, details?: Record<string, unknown>): TomolyteError {
  return new TomolyteError(ERROR_CODES.CORRUPT_FILE, `${file}: ${what}`, { path: file, ...details });
}

/** An open file for random-access reads with bounds checks. */
export class InputFile {
  private constructor(readonly path: string, readonly fh: fs.promises.FileHandle, readonly size: number) {}

  static async open(file: string): Promise<InputFile> {
    let fh: fs.promises.FileHandle | undefined;
    try {
      fh = await fs.promises.open(file, "r");
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
      return new InputFile(file, fh, st.size);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      throw fsError(e, file, "open");
    }
  }

  /** Reads exactly `length` bytes at `position` (CORRUPT_FILE if the file ends before). */
  async read(position: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    if (position < 0 || length < 0 || position + length > this.size) {
      throw corrupt(this.path, `file is truncated: needs bytes ${position}..${position + length} but has ${this.size}`, {
        fileSize: this.size,
      });
    }
    const out = into ?? new Uint8Array(length);
    let done = 0;
    // Reads of more than 2 GiB at once fail in Node; go in 256 MiB pieces.
    const chunk = 1 << 28;
    while (done < length) {
      const n = Math.min(chunk, length - done);
      let r: { bytesRead: number };
      try {
        r = await this.fh.read(out, done, n, position + done);
      } catch (e) {
        throw fsError(e, this.path, "read");
      }
      if (r.bytesRead === 0) throw corrupt(this.path, `file ended early at byte ${position + done}`);
      done += r.bytesRead;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Bytes of a typed array, as a Uint8Array view. */
export function bytesOf(a: VoxelArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** True on little-endian machines (all that Node runs on in practice). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte element in place. */
export function swapBytes(b: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i + size <= b.length; i += size) {
    for (let a = i, z = i + size - 1; a < z; a++, z--) {
      const t = b[a];
      b[a] = b[z];
      b[z] = t;
    }
  }
}

/** Resolves symlinks when the file exists; otherwise resolves the parent folder. */
export function realPathOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/** Which files each volume's data came from, keyed by the data array (derived volumes get new arrays). */
const sources = new WeakMap<object, readonly string[]>();

export function recordSource(data: VoxelArray, files: readonly string[]): void {
  sources.set(data, files.map(realPathOrResolved));
}

export function sourcesOf(data: VoxelArray): readonly string[] {
  return sources.get(data) ?? [];
}

/** A temp file name in the same folder as `target`, so that rename() is atomic. */
export function tempNameFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Removes a file or folder, ignoring errors (cleanup after a failure). */
export async function removeQuietly(p: string): Promise<void> {
  await fs.promises.rm(p, { recursive: true, force: true }).catch(() => undefined);
}

export function writeFailed(target: string, e: unknown): TomolyteError {
  if (isTomolyteError(e)) return e;
  return new TomolyteError(
    ERROR_CODES.WRITE_FAILED,
    `cannot write ${target}: ${(e as Error)?.message ?? String(e)}; nothing was written there`,
    { path: target },
    { cause: e },
  );
}

/** Sequential writer into a file handle, tracking the offset. */
export class OutputFile {
  offset = 0;
  private constructor(readonly path: string, readonly fh: fs.promises.FileHandle) {}

  static async create(file: string): Promise<OutputFile> {
    // "wx": fail if the temp name exists (never clobber).
    const fh = await fs.promises.open(file, "wx", 0o644);
    return new OutputFile(file, fh);
  }

  async write(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const n = Math.min(1 << 28, bytes.length - done);
      const r = await this.fh.write(bytes, done, n, this.offset + done);
      done += r.bytesWritten;
    }
    this.offset += bytes.length;
  }

  async close(sync: boolean): Promise<void> {
    if (sync) await this.fh.sync();
    await this.fh.close();
  }

  async abandon(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await removeQuietly(this.path);
  }
}
