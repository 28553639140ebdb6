/**
 * A small baseline TIFF writer: one IFD per z-slice, grey samples of any tomolyte
 * dtype, uncompressed or Adobe deflate, with an ImageJ description (images=,
 * slices=, unit=micron, spacing=) and X/YResolution in pixels per micrometre, so
 * ImageJ, tifffile and tomolyte read the voxel size back. BigTIFF is used
 * automatically when the file could pass 4 GiB.
 */
import { zlibSync } from "fflate";
import { throwIfAborted } from "../errors";
import { type Volume, bytesPerVoxel, isFloatDType, volumeDType } from "../volume";
import { type OutputFile, bytesOf } from "./fsutil";
import { toRational } from "./units";

export interface TiffWriteOptions {
  compression: "none" | "deflate";
  signal?: AbortSignal;
  onProgress?: (fractionDone: number) => void;
  /** Force BigTIFF (tests); otherwise chosen by size. */
  bigTiff?: boolean;
}

/** The ImageJ description of a stack of `nz` slices with z spacing dz µm. */
export function imageJDescription(nz: number, dz: number): string {
  const lines = ["ImageJ=1.11a"];
  if (nz > 1) lines.push(`images=${nz}`, `slices=${nz}`);
  lines.push("unit=micron", `spacing=${dz}`, "loop=false");
  return lines.join("\n") + "\n";
}

/** Writes slices [z0, z1) of `volume` as a TIFF into `out` (at its current offset, which must be 0). */
export async function writeTiff(out: OutputFile, volume: Volume, z0: number, z1: number, opts: TiffWriteOptions): Promise<void> {
  const dtype = volumeDType(volume);
  const [, ny, nx] = volume.shape;
  const [dz, dy, dx] = volume.spacing;
  const bpv = bytesPerVoxel(dtype);
  const bits = bpv * 8;
  const sampleFormat = isFloatDType(dtype) ? 3 : dtype.startsWith("int") ? 2 : 1;
  const rowBytes = nx * bpv;
  const rowsPerStrip = Math.max(1, Math.min(ny, Math.floor((1 << 20) / rowBytes)));
  const nStrips = Math.ceil(ny / rowsPerStrip);
  const nz = z1 - z0;
  const data = bytesOf(volume.data);
  const sliceBytes = ny * rowBytes;
  // deflate can grow incompressible data by a little; bound generously.
  const bound = nz * (sliceBytes * 1.01 + 1024 + nStrips * 64) + 65536;
  const big = opts.bigTiff ?? bound > 0xffffffff - (1 << 20);
  const le = true;
  const enc = new TextEncoder();
  const desc = enc.encode(imageJDescription(nz, dz) + "\0");
  // Pixels per µm as the rational q/p where p/q is dx: reading den/num gives dx back exactly.
  const [px, qx] = toRational(dx);
  const [py, qy] = toRational(dy);
  const xr = [qx, px];
  const yr = [qy, py];

  // Header, then the description (shared by page 0), then pages: IFD, its values, its strips.
  const headerSize = big ? 16 : 8;
  const descAt = headerSize;
  let offset = headerSize + desc.length + (desc.length & 1);
  const head = new Uint8Array(offset);
  const hv = new DataView(head.buffer);
  head[0] = 0x49;
  head[1] = 0x49;
  if (big) {
    hv.setUint16(2, 43, le);
    hv.setUint16(4, 8, le);
    hv.setUint16(6, 0, le);
    hv.setBigUint64(8, BigInt(offset), le);
  } else {
    hv.setUint16(2, 42, le);
    hv.setUint32(4, offset, le);
  }
  head.set(desc, descAt);
  await out.write(head);

  const entrySize = big ? 20 : 12;
  const countSize = big ? 8 : 2;
  const nextSize = big ? 8 : 4;
  const inlineMax = big ? 8 : 4;
  const offType = big ? 16 : 4; // LONG8 or LONG

  for (let z = z0; z < z1; z++) {
    throwIfAborted(opts.signal);
    const slice = data.subarray(z * sliceBytes, (z + 1) * sliceBytes);
    const strips: Uint8Array[] = [];
    for (let s = 0; s < nStrips; s++) {
      const part = slice.subarray(s * rowsPerStrip * rowBytes, Math.min(ny, (s + 1) * rowsPerStrip) * rowBytes);
      strips.push(opts.compression === "deflate" ? zlibSync(part, { level: 6 }) : part);
    }
    type E = { tag: number; type: number; values: number[] | Uint8Array };
    const entries: E[] = [
      { tag: 254, type: 4, values: [0] },
      { tag: 256, type: 4, values: [nx] },
      { tag: 257, type: 4, values: [ny] },
      { tag: 258, type: 3, values: [bits] },
      { tag: 259, type: 3, values: [opts.compression === "deflate" ? 8 : 1] },
      { tag: 262, type: 3, values: [1] },
    ];
    if (z === z0) entries.push({ tag: 270, type: 2, values: desc });
    entries.push(
      { tag: 273, type: offType, values: [] }, // filled below
      { tag: 277, type: 3, values: [1] },
      { tag: 278, type: 4, values: [rowsPerStrip] },
      { tag: 279, type: offType, values: strips.map((s) => s.length) },
      { tag: 282, type: 5, values: xr },
      { tag: 283, type: 5, values: yr },
      { tag: 296, type: 3, values: [1] }, // no absolute unit: ImageJ's convention, unit= is in the description
      { tag: 339, type: 3, values: [sampleFormat] },
    );
    const typeSize = (t: number) => ({ 2: 1, 3: 2, 4: 4, 5: 8, 16: 8 })[t as 2] ?? 1;
    const count = (e: E) => (e.tag === 273 ? nStrips : e.type === 5 ? e.values.length / 2 : e.values.length);
    const ifdSize = countSize + entries.length * entrySize + nextSize;
    // Out-of-line values follow the IFD; strips follow them.
    let extra = offset + ifdSize;
    const place = new Map<number, number>();
    for (const e of entries) {
      const n = count(e) * typeSize(e.type);
      if (e.tag === 270 && z === z0) {
        place.set(270, descAt);
        continue;
      }
      if (n > inlineMax) {
        place.set(e.tag, extra);
        extra += n + (n & 1);
      }
    }
    let stripAt = extra;
    const stripOffsets = strips.map((s) => {
      const o = stripAt;
      stripAt += s.length;
      return o;
    });
    entries.find((e) => e.tag === 273)!.values = stripOffsets;
    const next = z + 1 < z1 ? stripAt + (stripAt & 1) : 0;

    const ifd = new Uint8Array(extra - offset);
    const v = new DataView(ifd.buffer);
    const put = (pos: number, type: number, values: number[] | Uint8Array) => {
      if (type === 2 || values instanceof Uint8Array) {
        ifd.set(values as Uint8Array, pos);
        return;
      }
      for (let i = 0; i < values.length; i++) {
        const x = values[i];
        if (type === 3) v.setUint16(pos + 2 * i, x, le);
        else if (type === 4) v.setUint32(pos + 4 * i, x, le);
        else if (type === 16) v.setBigUint64(pos + 8 * i, BigInt(x), le);
        else if (type === 5) v.setUint32(pos + 4 * i, x, le);
      }
    };
    let p = 0;
    if (big) v.setBigUint64(0, BigInt(entries.length), le);
    else v.setUint16(0, entries.length, le);
    p = countSize;
    for (const e of entries) {
      v.setUint16(p, e.tag, le);
      v.setUint16(p + 2, e.type, le);
      if (big) v.setBigUint64(p + 4, BigInt(count(e)), le);
      else v.setUint32(p + 4, count(e), le);
      const valuePos = p + (big ? 12 : 8);
      const at = place.get(e.tag);
      if (at === undefined) put(valuePos, e.type, e.values);
      else {
        if (big) v.setBigUint64(valuePos, BigInt(at), le);
        else v.setUint32(valuePos, at, le);
        if (e.tag !== 270 || z !== z0) put(at - offset, e.type, e.values);
      }
      p += entrySize;
    }
    if (big) v.setBigUint64(p, BigInt(next), le);
    else v.setUint32(p, next, le);
    await out.write(ifd);
    for (const s of strips) await out.write(s);
    if (stripAt & 1 && next) await out.write(new Uint8Array(1));
    offset = next;
    opts.onProgress?.((z - z0 + 1) / nz);
  }
}
