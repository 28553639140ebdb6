/** write(): format from the extension, atomic (temp file + rename), never over an input. */
import * as fs from "node:fs";
import * as path from "node:path";
import { Zlib } from "fflate";
import { ERROR_CODES, TomolyteError, isTomolyteError, throwIfAborted } from "../errors";
import { type Volume, createVolume, dtypeOf } from "../volume";
import { OutputFile, bytesOf, realPathOrResolved, removeQuietly, sourcesOf, tempNameFor, writeFailed } from "./fsutil";
import { metaImageHeader } from "./mhd";
import { encodeNpy } from "./npy";
import { writeTiff } from "./tiff-write";
import type { VolumeFormat, WriteOptions, WriteResult } from "./types";

const EXT_FORMAT: Record<string, VolumeFormat> = { ".tif": "tiff", ".tiff": "tiff", ".npy": "npy", ".mhd": "mhd", ".mha": "mha" };

function formatFor(target: string, options: WriteOptions): VolumeFormat {
  if (options.format !== undefined) {
    if (!["tiff", "tiff-folder", "npy", "mhd", "mha"].includes(options.format)) {
      throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `unknown format "${String(options.format)}"`);
    }
    return options.format;
  }
  if (/[\\/]$/.test(target)) return "tiff-folder";
  const ext = path.extname(target).toLowerCase();
  const f = EXT_FORMAT[ext];
  if (f) return f;
  if (ext === ".raw" || ext === ".zraw") {
    throw new TomolyteError(ERROR_CODES.UNSUPPORTED_FORMAT, `${target}: write the .mhd header instead (e.g. ${target.slice(0, -ext.length)}.mhd); its ${ext} is written beside it`, { path: target });
  }
  throw new TomolyteError(
    ERROR_CODES.UNSUPPORTED_FORMAT,
    `${target}: cannot tell the format from extension "${ext}"; use .tif, .npy, .mhd, .mha, or a folder path ending in "/" for one TIFF per slice`,
    { path: target },
  );
}

/** Refuses to replace an input of this volume, or (without overwrite) any existing path. */
function checkTarget(volume: Volume, target: string, overwrite: boolean, isFolder: boolean): boolean {
  const real = realPathOrResolved(target);
  for (const src of sourcesOf(volume.data)) {
    if (src === real || (isFolder && src.startsWith(real + path.sep))) {
      throw new TomolyteError(
        ERROR_CODES.WOULD_OVERWRITE,
        `refusing to overwrite ${target}: this volume was read from it; write to another path`,
        { path: target },
      );
    }
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    return false;
  }
  if (!overwrite) {
    throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${target} already exists; pass overwrite: true (CLI: --overwrite) to replace it`, { path: target });
  }
  if (isFolder) {
    if (!st.isDirectory()) throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${target} exists and is not a folder`, { path: target });
    const others = fs.readdirSync(target).filter((n) => !/\.tiff?$/i.test(n));
    if (others.length > 0) {
      throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `refusing to replace folder ${target}: it holds files other than TIFF slices (${others.slice(0, 3).join(", ")})`, { path: target });
    }
  } else if (st.isDirectory()) {
    throw new TomolyteError(ERROR_CODES.WOULD_OVERWRITE, `${target} is a folder; refusing to replace it with a file`, { path: target });
  }
  return true;
}

/** Writes `parts` to a new temp file beside `target`; returns the temp path. */
async function writeTemp(target: string, fill: (out: OutputFile) => Promise<void>): Promise<{ temp: string; bytes: number }> {
  const temp = tempNameFor(target);
  let out: OutputFile | undefined;
  try {
    out = await OutputFile.create(temp);
    await fill(out);
    await out.close(true);
    return { temp, bytes: out.offset };
  } catch (e) {
    if (out) await out.abandon();
    else await removeQuietly(temp);
    throw e;
  }
}

/**
 * Writes a volume; the format comes from the extension: .tif/.tiff (multi-page,
 * ImageJ-compatible), .npy, .mhd (+ .raw, or .zraw when compressed), .mha, or a
 * folder path ending in "/" (one 2D TIFF per z-slice). The write is atomic: data
 * goes to a temp file in the same folder, renamed into place at the end; on any
 * failure nothing is left behind. It refuses (WOULD_OVERWRITE) to replace an
 * existing file unless `overwrite: true`, and always refuses to replace the file
 * the volume was read from.
 *
 * @example
 * await write(v, "out/electrode.tif", { compression: "deflate" });
 * await write(v, "out/electrode.mhd", { overwrite: true }); // also writes out/electrode.raw
 */
export async function write(volume: Volume, target: string, options: WriteOptions = {}): Promise<WriteResult> {
  if (typeof target !== "string" || target === "") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `path must be a non-empty string, got ${String(target)}`);
  if (!volume || typeof volume !== "object") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "write() needs a volume");
  dtypeOf(volume.data);
  createVolume(volume.data, volume.shape, volume.spacing); // validates shape and spacing
  const compression = options.compression ?? "none";
  if (compression !== "none" && compression !== "deflate") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `compression must be "none" or "deflate", got ${JSON.stringify(compression)}`);
  }
  const format = formatFor(target, options);
  if (format === "npy" && compression !== "none") {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, ".npy has no compression; use compression: \"none\" or another format");
  }
  const abs = path.resolve(target);
  const overwrite = options.overwrite === true;
  const parent = path.dirname(abs);
  let parentOk = false;
  try {
    parentOk = fs.statSync(parent).isDirectory();
  } catch {
    parentOk = false;
  }
  if (!parentOk) {
    throw new TomolyteError(ERROR_CODES.WRITE_FAILED, `cannot write ${abs}: folder ${parent} does not exist (or is not a folder); create it first`, { path: abs });
  }
  throwIfAborted(options.signal);
  try {
    if (format === "tiff-folder") return await writeFolder(volume, abs, overwrite, compression, options);
    const files = [abs];
    let dataFile: string | undefined;
    if (format === "mhd") {
      const ext = path.extname(abs);
      dataFile = abs.slice(0, abs.length - ext.length) + (compression === "deflate" ? ".zraw" : ".raw");
      files.push(dataFile);
    }
    for (const f of files) checkTarget(volume, f, overwrite, false);
    // Renamed in this order at the end: a .raw before its header, so no reader sees a header without data.
    const temps: { temp: string; dest: string }[] = [];
    let bytes = 0;
    try {
      if (format === "tiff") {
        const t = await writeTemp(abs, (out) => writeTiff(out, volume, 0, volume.shape[0], { compression, signal: options.signal, onProgress: options.onProgress }));
        temps.push({ temp: t.temp, dest: abs });
        bytes += t.bytes;
      } else if (format === "npy") {
        const t = await writeTemp(abs, async (out) => {
          const [head, data] = encodeNpy(volume);
          await out.write(head);
          await writeChunked(out, data, options);
        });
        temps.push({ temp: t.temp, dest: abs });
        bytes += t.bytes;
      } else {
        const raw = bytesOf(volume.data);
        // Compressed in pieces: memory grows by the compressed size only, and it can be cancelled.
        const payload = compression === "deflate" ? await deflateChunks(raw, options) : [raw];
        throwIfAborted(options.signal);
        const compressedSize = compression === "deflate" ? payload.reduce((a, c) => a + c.length, 0) : undefined;
        if (format === "mha") {
          const t = await writeTemp(abs, async (out) => {
            await out.write(new TextEncoder().encode(metaImageHeader(volume, "LOCAL", compressedSize)));
            await writeChunked(out, payload, options, compressedSize === undefined ? 0 : 0.5);
          });
          temps.push({ temp: t.temp, dest: abs });
          bytes += t.bytes;
        } else {
          const d = await writeTemp(dataFile!, (out) => writeChunked(out, payload, options, compressedSize === undefined ? 0 : 0.5));
          temps.push({ temp: d.temp, dest: dataFile! });
          bytes += d.bytes;
          const h = await writeTemp(abs, (out) => out.write(new TextEncoder().encode(metaImageHeader(volume, path.basename(dataFile!), compressedSize))));
          temps.push({ temp: h.temp, dest: abs });
          bytes += h.bytes;
        }
      }
      // Last chance to cancel: after this point the write is committed.
      throwIfAborted(options.signal);
      for (const t of temps) await fs.promises.rename(t.temp, t.dest);
    } catch (e) {
      for (const t of temps) await removeQuietly(t.temp);
      throw e;
    }
    options.onProgress?.(1);
    return { path: abs, format, files, bytes };
  } catch (e) {
    throw writeFailed(abs, e);
  }
}

/** Writes `data` (one array or pieces) in slabs, with cancellation and progress. */
async function writeChunked(out: OutputFile, data: Uint8Array | Uint8Array[], options: WriteOptions, from = 0): Promise<void> {
  const pieces = Array.isArray(data) ? data : [data];
  const total = pieces.reduce((a, c) => a + c.length, 0);
  const step = 1 << 26;
  let done = 0;
  for (const piece of pieces) {
    for (let p = 0; p < piece.length; p += step) {
      throwIfAborted(options.signal);
      const part = piece.subarray(p, Math.min(piece.length, p + step));
      await out.write(part);
      done += part.length;
      options.onProgress?.((from + ((1 - from) * done) / Math.max(1, total)) * 0.999);
    }
  }
}

/** zlib-compresses `raw` in 16 MiB pieces (the first half of the progress). */
async function deflateChunks(raw: Uint8Array, options: WriteOptions): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const z = new Zlib({ level: 6 }, (chunk) => {
    chunks.push(chunk);
  });
  const step = 1 << 24;
  if (raw.length === 0) z.push(raw, true);
  for (let p = 0; p < raw.length; p += step) {
    throwIfAborted(options.signal);
    const end = Math.min(raw.length, p + step);
    // fflate may keep a reference to the pushed data: hand it a copy of the slab.
    z.push(raw.slice(p, end), end >= raw.length);
    options.onProgress?.((0.5 * end) / raw.length);
    await new Promise((r) => setImmediate(r));
  }
  return chunks;
}

async function writeFolder(volume: Volume, dir: string, overwrite: boolean, compression: "none" | "deflate", options: WriteOptions): Promise<WriteResult> {
  const exists = checkTarget(volume, dir, overwrite, true);
  const nz = volume.shape[0];
  const digits = Math.max(4, String(nz - 1).length);
  const temp = tempNameFor(dir);
  const names: string[] = [];
  let bytes = 0;
  try {
    await fs.promises.mkdir(temp);
    for (let z = 0; z < nz; z++) {
      throwIfAborted(options.signal);
      const name = `z${String(z).padStart(digits, "0")}.tif`;
      const out = await OutputFile.create(path.join(temp, name));
      try {
        await writeTiff(out, volume, z, z + 1, { compression });
        await out.close(false);
      } catch (e) {
        await out.abandon();
        throw e;
      }
      bytes += out.offset;
      names.push(name);
      options.onProgress?.((z + 1) / nz);
    }
    throwIfAborted(options.signal);
    if (exists) {
      // Swap: old folder aside, new one in, old one removed.
      const old = tempNameFor(dir) + ".old";
      await fs.promises.rename(dir, old);
      try {
        await fs.promises.rename(temp, dir);
      } catch (e) {
        await fs.promises.rename(old, dir).catch(() => undefined);
        throw e;
      }
      await removeQuietly(old);
    } else {
      await fs.promises.rename(temp, dir);
    }
  } catch (e) {
    await removeQuietly(temp);
    if (isTomolyteError(e)) throw e;
    throw writeFailed(dir, e);
  }
  return { path: dir, format: "tiff-folder", files: names.map((n) => path.join(dir, n)), bytes };
}
