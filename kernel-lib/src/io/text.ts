/** writeText(): a text file (JSON, CSV, XML) written atomically, as write() writes volumes. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ERROR_CODES, TomolyteError, throwIfAborted } from "../errors";
import { OutputFile, removeQuietly, tempNameFor, writeFailed } from "./fsutil";

export interface WriteTextOptions {
  /** Replace an existing file (default false: WOULD_OVERWRITE). A folder is never replaced. */
  overwrite?: boolean;
  signal?: AbortSignal;
}

export interface WriteTextResult {
  /** Absolute path written. */
  readonly path: string;
  readonly bytes: number;
}

/**
 * Writes `text` as UTF-8 to `file`, atomically: a temp file in the same folder,
 * flushed, then moved into place, so a reader never sees half a file and a failure
 * (or a cancel) leaves nothing behind. Without `overwrite` the move is a hard link,
 * which fails if the file appeared meanwhile: an existing file is never replaced.
 *
 * @example
 * await writeText("net.json", networkToJSON(network));
 * await writeText("net.json", text, { overwrite: true });
 */
export async function writeText(file: string, text: string, options: WriteTextOptions = {}): Promise<WriteTextResult> {
  if (typeof file !== "string" || file === "") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "writeText(path, text): path must be a non-empty string");
  if (typeof text !== "string") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "writeText(path, text): text must be a string");
  const abs = path.resolve(file);
  const overwrite = options.overwrite === true;
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(abs);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${file} is a folder; refusing to replace it with a file`, { path: file });
  if (st && !overwrite) {
    throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${file} already exists; pass overwrite: true (CLI: --force) to replace it`, { path: file });
  }
  const bytes = Buffer.from(text, "utf8");
  const temp = tempNameFor(abs);
  let out: OutputFile | undefined;
  try {
    throwIfAborted(options.signal);
    out = await OutputFile.create(temp);
    await out.write(bytes);
    await out.close(true);
    out = undefined;
    throwIfAborted(options.signal);
    if (overwrite) {
      await fs.promises.rename(temp, abs);
    } else {
      try {
        await fs.promises.link(temp, abs);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException)?.code;
        if (code === "EEXIST") {
          throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${file} already exists; pass overwrite: true (CLI: --force) to replace it`, { path: file });
        }
        // File systems without hard links: check again, then move.
        if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
        if (fs.existsSync(abs)) throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${file} already exists; pass overwrite: true (CLI: --force) to replace it`, { path: file });
        await fs.promises.rename(temp, abs);
      }
      await removeQuietly(temp);
    }
  } catch (e) {
    if (out) await out.abandon();
    else await removeQuietly(temp);
    throw writeFailed(abs, e);
  }
  return { path: abs, bytes: bytes.length };
}
