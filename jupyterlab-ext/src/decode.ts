/**
 * Decoding of the volume MIME bundle (DESIGN.md display contract, version 1).
 * Pure functions over typed arrays: no DOM, so they are unit-tested in Node.
 */
import { inflateSync } from "fflate";
import type { VolumeMimeBundleV1, VolumeMimePhase, VolumeMimeVolume } from "tomolyte/dist/display/contract";

export type { VolumeMimeBundleV1, VolumeMimePhase, VolumeMimeVolume };

/** The MIME type this package renders. Kept in sync with kernel-lib's VOLUME_MIME (a test checks). */
export const VOLUME_MIME_TYPE = "application/vnd.tomolyte.volume+json";

export type VoxelData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array;

export type LabelData = Uint8Array | Uint16Array | Uint32Array;

/** A decoded bundle: what the views draw from. */
export interface DecodedVolume {
  shape: [number, number, number];
  spacing: [number, number, number];
  dtype: VolumeMimeBundleV1["dtype"];
  data: VoxelData;
  window: [number, number];
  labels?: { data: LabelData; phases: VolumeMimePhase[] };
  downsample?: VolumeMimeBundleV1["downsample"];
  title?: string;
  /** Caption of this volume (a comparison's panel, a series' frame). */
  name?: string;
  /** Time of this frame of a series, seconds. */
  time_s?: number;
  /** Linked comparison: the panels after this one (same shape and spacing), shown beside it. */
  panels?: DecodedVolume[];
  /** Time series: the frames after this one (same shape and spacing). */
  frames?: DecodedVolume[];
  /** Initial playback rate of a series, frames per second. */
  fps?: number;
}

/** A payload the renderer refuses; the message is shown as text in the output area. */
export class VolumePayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VolumePayloadError";
  }
}

const BYTES: Record<string, number> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Largest volume the browser view accepts (voxels); the kernel downsamples to 16 Mi by default. */
export const MAX_VOXELS = 256 * 1024 * 1024;

const B64 = (() => {
  const t = new Int16Array(256).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  t["-".charCodeAt(0)] = 62; // base64url, tolerated
  t["_".charCodeAt(0)] = 63;
  return t;
})();

/**
 * Decodes standard base64 (whitespace ignored) to bytes.
 * A table-driven loop: atob would build an intermediate string as large as the data.
 * @example base64ToBytes("AQID") // Uint8Array [1, 2, 3]
 */
export function base64ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4) + 3);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 61 /* = */) break;
    const v = c < 256 ? B64[c] : -1;
    if (v < 0) {
      if (c === 32 || c === 10 || c === 13 || c === 9) continue;
      throw new VolumePayloadError(`invalid base64 character at offset ${i}`);
    }
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

function typedView(bytes: Uint8Array, dtype: string): VoxelData {
  // bytes.buffer is a fresh buffer at offset 0 (see inflateTo), so every view is aligned.
  // Typed arrays use the platform's byte order; all browsers JupyterLab supports are little-endian.
  const b = bytes.buffer as ArrayBuffer;
  const o = bytes.byteOffset;
  const len = bytes.byteLength / BYTES[dtype];
  switch (dtype) {
    case "uint8":
      return new Uint8Array(b, o, len);
    case "int8":
      return new Int8Array(b, o, len);
    case "uint16":
      return new Uint16Array(b, o, len);
    case "int16":
      return new Int16Array(b, o, len);
    case "uint32":
      return new Uint32Array(b, o, len);
    case "int32":
      return new Int32Array(b, o, len);
    case "float32":
      return new Float32Array(b, o, len);
    case "float64":
      return new Float64Array(b, o, len);
    default:
      throw new VolumePayloadError(`unsupported dtype ${JSON.stringify(dtype)}`);
  }
}

function inflateTo(encoded: string, byteLength: number, what: string): Uint8Array {
  const packed = base64ToBytes(encoded);
  const out = new Uint8Array(byteLength);
  let got: Uint8Array;
  try {
    got = inflateSync(packed, { out });
  } catch (e) {
    throw new VolumePayloadError(`${what}: the deflate stream is corrupt (${(e as Error).message})`);
  }
  // fflate returns a shorter view when the stream holds fewer bytes than expected.
  if (got.byteLength !== byteLength || got.buffer !== out.buffer) {
    throw new VolumePayloadError(`${what}: expected ${byteLength} bytes after inflating, got ${got.byteLength}`);
  }
  return out;
}

function checkTriple(v: unknown, name: string, integer: boolean): [number, number, number] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === "number" && Number.isFinite(x))) {
    throw new VolumePayloadError(`${name} must be three finite numbers, got ${JSON.stringify(v)}`);
  }
  if (integer && !v.every((x) => Number.isInteger(x) && x >= 1)) {
    throw new VolumePayloadError(`${name} must be three positive integers, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1], v[2]];
}

/** One volume of the payload (the top level, a panel or a frame) with its arrays still encoded. */
interface PartPlan {
  src: Partial<VolumeMimeVolume> & { time_s?: unknown };
  dtype: DecodedVolume["dtype"];
  /** Index into Plan.fields of the data, and of the labels (-1: none). */
  dataField: number;
  labelField: number;
}

/** A validated bundle whose arrays are still encoded: the input of the sync and async decoders. */
interface Plan {
  b: Partial<VolumeMimeBundleV1>;
  shape: [number, number, number];
  spacing: [number, number, number];
  /** The top-level volume, then the panels or frames after it. */
  parts: PartPlan[];
  kind: "single" | "panels" | "frames";
  /** Encoded fields to inflate, in order. */
  fields: { encoded: string; byteLength: number; what: string; dtype: string }[];
}

/** Most panels the viewer lays out; most frames it holds. */
export const MAX_PANELS = 8;
export const MAX_FRAMES = 1000;

function planPart(src: Partial<VolumeMimeVolume>, count: number, what: string, fields: Plan["fields"]): PartPlan {
  if (!src || typeof src !== "object") throw new VolumePayloadError(`${what} is not an object`);
  const dtype = src.dtype as string;
  if (!(dtype in BYTES)) throw new VolumePayloadError(`${what ? `${what}: ` : ""}unsupported dtype ${JSON.stringify(dtype)}`);
  const at = what ? `${what}.` : "";
  if (typeof src.data !== "string") throw new VolumePayloadError(`${at}data must be a base64 string`);
  fields.push({ encoded: src.data, byteLength: count * BYTES[dtype], what: `${at}data`, dtype });
  const dataField = fields.length - 1;
  let labelField = -1;
  if (src.labels) {
    const l = src.labels;
    const ldt = l.dtype as string;
    if (ldt !== "uint8" && ldt !== "uint16" && ldt !== "uint32") {
      throw new VolumePayloadError(`${at}labels.dtype must be uint8, uint16 or uint32, got ${JSON.stringify(ldt)}`);
    }
    if (typeof l.data !== "string") throw new VolumePayloadError(`${at}labels.data must be a base64 string`);
    // A label volume alone sends the same string as data and labels: inflate it once.
    if (l.data === src.data && ldt === dtype) labelField = dataField;
    else {
      fields.push({ encoded: l.data, byteLength: count * BYTES[ldt], what: `${at}labels.data`, dtype: ldt });
      labelField = fields.length - 1;
    }
  }
  return { src, dtype: dtype as DecodedVolume["dtype"], dataField, labelField };
}

function plan(raw: unknown): Plan {
  let b = raw as Partial<VolumeMimeBundleV1>;
  if (typeof raw === "string") {
    try {
      b = JSON.parse(raw);
    } catch {
      throw new VolumePayloadError("the payload is a string that is not JSON");
    }
  }
  if (!b || typeof b !== "object") throw new VolumePayloadError("the payload is not an object");
  if (b.version !== 1) throw new VolumePayloadError(`unsupported version ${JSON.stringify(b.version)} (this viewer reads 1)`);
  if (b.encoding !== "deflate-base64") throw new VolumePayloadError(`unsupported encoding ${JSON.stringify(b.encoding)}`);
  const shape = checkTriple(b.shape, "shape", true);
  const spacing = b.spacing === undefined ? ([1, 1, 1] as [number, number, number]) : checkTriple(b.spacing, "spacing", false);
  const count = shape[0] * shape[1] * shape[2];
  if (count > MAX_VOXELS) throw new VolumePayloadError(`${count} voxels exceed the viewer's limit of ${MAX_VOXELS}; downsample in the kernel`);
  if (b.panels !== undefined && b.frames !== undefined) throw new VolumePayloadError("a payload has either panels or frames, not both");
  let kind: Plan["kind"] = "single";
  let extra: unknown[] = [];
  if (b.panels !== undefined) {
    if (!Array.isArray(b.panels)) throw new VolumePayloadError("panels must be an array");
    if (b.panels.length + 1 > MAX_PANELS) throw new VolumePayloadError(`${b.panels.length + 1} panels exceed the viewer's limit of ${MAX_PANELS}`);
    kind = "panels";
    extra = b.panels;
  } else if (b.frames !== undefined) {
    if (!Array.isArray(b.frames)) throw new VolumePayloadError("frames must be an array");
    if (b.frames.length + 1 > MAX_FRAMES) throw new VolumePayloadError(`${b.frames.length + 1} frames exceed the viewer's limit of ${MAX_FRAMES}`);
    kind = "frames";
    extra = b.frames;
  }
  if (count * (extra.length + 1) > MAX_VOXELS) {
    throw new VolumePayloadError(
      `${extra.length + 1} volumes of ${count} voxels exceed the viewer's limit of ${MAX_VOXELS} voxels in all; downsample in the kernel`,
    );
  }
  const fields: Plan["fields"] = [];
  const parts = [planPart(b as Partial<VolumeMimeVolume>, count, "", fields)];
  extra.forEach((e, i) => parts.push(planPart(e as Partial<VolumeMimeVolume>, count, `${kind === "panels" ? "panels" : "frames"}[${i}]`, fields)));
  return { b, shape, spacing, parts, kind, fields };
}

function finishPart(p: Plan, part: PartPlan, bytes: Uint8Array[]): DecodedVolume {
  const src = part.src;
  const data = typedView(bytes[part.dataField], part.dtype);
  let window: [number, number];
  if (Array.isArray(src.window) && src.window.length === 2 && src.window.every((x) => typeof x === "number" && Number.isFinite(x))) {
    window = [src.window[0], src.window[1]];
  } else {
    window = dataRange(data);
  }
  let labels: DecodedVolume["labels"];
  if (src.labels && part.labelField >= 0) {
    const phases: VolumeMimePhase[] = [];
    for (const ph of Array.isArray(src.labels.phases) ? src.labels.phases : []) {
      if (ph && typeof ph.value === "number") {
        phases.push({ value: ph.value, name: String(ph.name ?? ph.value), color: String(ph.color ?? "") });
      }
    }
    const ldata = part.labelField === part.dataField ? data : typedView(bytes[part.labelField], p.fields[part.labelField].dtype);
    labels = { data: ldata as LabelData, phases };
  }
  const out: DecodedVolume = { shape: p.shape, spacing: p.spacing, dtype: part.dtype, data, window, labels, downsample: p.b.downsample };
  if (typeof src.name === "string") out.name = src.name;
  if (typeof src.time_s === "number" && Number.isFinite(src.time_s)) out.time_s = src.time_s;
  return out;
}

function finish(p: Plan, bytes: Uint8Array[]): DecodedVolume {
  const { b } = p;
  const vols = p.parts.map((part) => finishPart(p, part, bytes));
  const head = vols[0];
  head.title = typeof b.title === "string" ? b.title : undefined;
  if (p.kind === "panels") head.panels = vols.slice(1);
  if (p.kind === "frames") {
    head.frames = vols.slice(1);
    if (typeof b.fps === "number" && b.fps > 0 && b.fps <= 60) head.fps = b.fps;
  }
  return head;
}

/**
 * Parses and decodes a volume bundle; any malformed field throws VolumePayloadError.
 * @example
 * const vol = decodeVolumeBundle(model.data["application/vnd.tomolyte.volume+json"]);
 * vol.data[(z * ny + y) * nx + x];
 */
export function decodeVolumeBundle(raw: unknown): DecodedVolume {
  const p = plan(raw);
  return finish(p, p.fields.map((f) => inflateTo(f.encoded, f.byteLength, f.what)));
}

type DecompressionStreamCtor = new (format: string) => TransformStream<Uint8Array, Uint8Array>;

/** The platform's DecompressionStream (browsers, Node >= 18), looked up at run time. */
function nativeDecompression(): DecompressionStreamCtor | undefined {
  const g = globalThis as { DecompressionStream?: DecompressionStreamCtor; Blob?: unknown };
  return typeof g.DecompressionStream === "function" && typeof g.Blob === "function" ? g.DecompressionStream : undefined;
}

/** Native raw-inflate into a buffer of the expected size; null when the size does not match. */
async function inflateNative(Ctor: DecompressionStreamCtor, packed: Uint8Array, byteLength: number): Promise<Uint8Array | null> {
  const out = new Uint8Array(byteLength);
  const stream = (new Blob([packed as BlobPart]).stream() as ReadableStream<Uint8Array>).pipeThrough(new Ctor("deflate-raw"));
  const reader = stream.getReader();
  let offset = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (offset + value.byteLength > byteLength) {
      await reader.cancel();
      return null;
    }
    out.set(value, offset);
    offset += value.byteLength;
  }
  return offset === byteLength ? out : null;
}

/**
 * The decode worker's whole program: base64 -> bytes, then the native raw inflate, the result
 * transferred back. A Blob URL, so the bundlers need no worker configuration. Kept to plain
 * ES2017 text on purpose (it is not compiled).
 */
const WORKER_SOURCE = `
const T = new Int16Array(256).fill(-1);
const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (let i = 0; i < 64; i++) T[A.charCodeAt(i)] = i;
T[45] = 62; T[95] = 63;
function b64(s) {
  const out = new Uint8Array(Math.floor(s.length * 3 / 4) + 3);
  let acc = 0, bits = 0, n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61) break;
    const v = c < 256 ? T[c] : -1;
    if (v < 0) { if (c === 32 || c === 10 || c === 13 || c === 9) continue; return null; }
    acc = ((acc << 6) | v) & 0xffffff; bits += 6;
    if (bits >= 8) { bits -= 8; out[n++] = (acc >> bits) & 0xff; }
  }
  return out.subarray(0, n);
}
onmessage = async (e) => {
  const { id, encoded, byteLength } = e.data;
  try {
    const packed = b64(encoded);
    if (!packed) { postMessage({ id, buffer: null }); return; }
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    const buffer = await new Response(stream).arrayBuffer();
    if (buffer.byteLength !== byteLength) { postMessage({ id, buffer: null }); return; }
    postMessage({ id, buffer }, [buffer]);
  } catch (err) {
    postMessage({ id, buffer: null });
  }
};
`;

let decodeWorker: Worker | null | undefined;
const workerJobs = new Map<number, (b: ArrayBuffer | null) => void>();
let nextJob = 1;

/** The shared decode worker, or null where workers (or Blob URLs) are not available. */
function getDecodeWorker(): Worker | null {
  if (decodeWorker !== undefined) return decodeWorker;
  decodeWorker = null;
  const g = globalThis as { Worker?: typeof Worker; URL?: typeof URL; Blob?: typeof Blob };
  if (typeof g.Worker !== "function" || typeof g.URL?.createObjectURL !== "function" || !nativeDecompression()) return null;
  try {
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    const w = new Worker(url);
    w.onmessage = (e: MessageEvent<{ id: number; buffer: ArrayBuffer | null }>) => {
      const done = workerJobs.get(e.data.id);
      workerJobs.delete(e.data.id);
      done?.(e.data.buffer);
    };
    w.onerror = () => {
      // A worker that cannot run (e.g. a page policy against blob: scripts): the page decodes.
      decodeWorker = null;
      for (const done of workerJobs.values()) done(null);
      workerJobs.clear();
    };
    decodeWorker = w;
  } catch {
    decodeWorker = null;
  }
  return decodeWorker;
}

/** Base64 + inflate of one field in the worker; null on any failure (the caller decodes again). */
function inflateInWorker(w: Worker, encoded: string, byteLength: number): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const id = nextJob++;
    // A worker that never answers must not leave the output blank: give up after 2 minutes.
    const timer = setTimeout(() => workerJobs.get(id)?.(null), 120_000);
    workerJobs.set(id, (b) => {
      clearTimeout(timer);
      workerJobs.delete(id);
      resolve(b ? new Uint8Array(b) : null);
    });
    w.postMessage({ id, encoded, byteLength });
  });
}

/**
 * As decodeVolumeBundle, but off the page's thread where it can: in a worker (base64 and the
 * native DecompressionStream("deflate-raw")) in browsers, else with the native stream on this
 * thread (base64 here), else fflate. On any failure it decodes again with fflate, which gives
 * the precise error. `info.path` says which way the bytes were decoded.
 * @example const vol = await decodeVolumeBundleAsync(model.data[VOLUME_MIME_TYPE]);
 */
export async function decodeVolumeBundleAsync(raw: unknown, info: { path?: "worker" | "native" | "fflate" } = {}): Promise<DecodedVolume> {
  const p = plan(raw);
  const Ctor = nativeDecompression();
  info.path = "fflate";
  if (!Ctor) return decodeVolumeBundle(raw);
  try {
    const w = getDecodeWorker();
    const bytes = await Promise.all(
      p.fields.map((f) => (w ? inflateInWorker(w, f.encoded, f.byteLength) : base64Native(Ctor, f.encoded, f.byteLength))),
    );
    if (bytes.some((b) => !b)) return decodeVolumeBundle(raw);
    info.path = w ? "worker" : "native";
    return finish(p, bytes as Uint8Array[]);
  } catch {
    return decodeVolumeBundle(raw);
  }
}

function base64Native(Ctor: DecompressionStreamCtor, encoded: string, byteLength: number): Promise<Uint8Array | null> {
  return inflateNative(Ctor, base64ToBytes(encoded), byteLength);
}

/** [min, max] of the finite values (NaN and ±Infinity skipped); [0, 1] when there are none. */
export function dataRange(data: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  return [lo, hi];
}
