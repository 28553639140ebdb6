/**
 * Static export of plotly figures (PNG, SVG) for publication and for the
 * image/png fallback of show(figure).
 *
 * plotly.js renders in Debian's headless Chromium, driven by playwright-core.
 * The browser lives in one worker thread per process, started on first use and
 * reused by every later call: the worker owns the asynchronous playwright
 * session, and the main thread talks to it either asynchronously
 * (renderFigure, exportFigure) or synchronously by blocking on a shared flag
 * (renderFigureSync, which show() needs because show() returns nothing).
 *
 * Determinism: plotly names its clip paths and defs from Math.random; the page
 * reseeds Math.random before every render, so the same figure gives the same
 * SVG bytes and the same PNG pixels on every run. The default font is fixed to
 * DejaVu Sans (installed by scripts/setup.sh), the page has no network access,
 * and nothing time-dependent is written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from "node:worker_threads";
import { ERROR_CODES, TomolyteError, isTomolyteError } from "../errors";
import { removeQuietly, tempNameFor, writeFailed } from "../io/fsutil";

/** Chromium used unless `TOMOLYTE_CHROMIUM` names another executable. */
export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** The flags every launch uses (no network, no profile sync, software rendering, WebGL via SwiftShader for 3D traces). */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--font-render-hinting=none",
];

export type FigureFormat = "png" | "svg";

export interface ExportOptions {
  /** "png" or "svg". exportFigure takes it from the file extension when absent. */
  format?: FigureFormat;
  /** Width of the figure in CSS pixels (default 800). */
  width_px?: number;
  /** Height of the figure in CSS pixels (default 600). */
  height_px?: number;
  /** PNG pixels per CSS pixel (default 2: an 800 × 600 figure is 1600 × 1200 pixels). SVG ignores it. */
  scale?: number;
  /** Give up on one render after this many milliseconds (default 60 000). */
  timeout_ms?: number;
}

interface FigureLike {
  data: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

interface Request {
  figure: FigureLike;
  format: FigureFormat;
  width: number;
  height: number;
  scale: number;
}

interface Reply {
  ok: boolean;
  url?: string;
  code?: string;
  message?: string;
}

// The worker's code, run with `eval: true` so that it works both from the
// built CommonJS package and from the TypeScript sources under vitest.
const WORKER_CODE = String.raw`
const { workerData } = require("node:worker_threads");
const { playwright, plotly, executablePath, flags } = workerData;
let pagePromise;
async function start() {
  const { chromium } = require(playwright);
  // launch() gives a fresh temporary profile (user data dir) and removes it on close.
  const browser = await chromium.launch({ executablePath, headless: true, args: flags, ignoreDefaultArgs: ["--enable-automation"] });
  const context = await browser.newContext({ deviceScaleFactor: 1, offline: true });
  const page = await context.newPage();
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;font-family:"DejaVu Sans"}</style></head><body></body></html>');
  await page.addScriptTag({ path: plotly });
  return { browser, page };
}
async function render(req) {
  pagePromise = pagePromise || start();
  const { page } = await pagePromise;
  return page.evaluate(async (r) => {
    // Seeded LCG: plotly draws its uids (clip-path and defs ids) from Math.random.
    let s = 0x2545f491;
    Math.random = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
    // toImage plots the figure into its own hidden div (one render, not two).
    const fig = { data: r.figure.data, layout: r.figure.layout, config: Object.assign({}, r.figure.config, { staticPlot: true }) };
    return Plotly.toImage(fig, { format: r.format, width: r.width, height: r.height, scale: r.scale });
  }, req);
}
require("node:worker_threads").parentPort.on("message", async (msg) => {
  if (msg.type === "close") {
    try { if (pagePromise) await (await pagePromise).browser.close(); } catch (e) {}
    msg.port.postMessage({ ok: true });
    Atomics.store(msg.flag, 0, 1);
    Atomics.notify(msg.flag, 0);
    return;
  }
  let reply;
  try {
    reply = { ok: true, url: await render(msg.request) };
  } catch (e) {
    const text = String((e && e.message) || e);
    const missing = /Executable doesn't exist|ENOENT|Failed to launch|Cannot find module/i.test(text);
    if (missing) pagePromise = undefined;
    reply = { ok: false, code: missing ? "MISSING_DEPENDENCY" : "INTERNAL", message: text.split("\n").slice(0, 6).join("\n") };
  }
  msg.port.postMessage(reply);
  Atomics.store(msg.flag, 0, 1);
  Atomics.notify(msg.flag, 0);
});
`;

let worker: Worker | undefined;

function chromiumPath(): string {
  return process.env.TOMOLYTE_CHROMIUM || DEFAULT_CHROMIUM;
}

function resolveModule(id: string, what: string): string {
  try {
    return require.resolve(id);
  } catch (e) {
    throw new TomolyteError(ERROR_CODES.MISSING_DEPENDENCY, `${what} (npm package ${id}) is not installed; run npm run setup`, { package: id }, { cause: e });
  }
}

/**
 * True when figures can be rendered here: Chromium exists and plotly.js and
 * playwright-core are installed. Does not start the browser.
 *
 * @example
 * if (figureRendererAvailable()) await exportFigure(fig, "figures/hist.png");
 */
export function figureRendererAvailable(): boolean {
  try {
    fs.accessSync(chromiumPath(), fs.constants.X_OK);
    require.resolve("playwright-core");
    require.resolve("plotly.js-dist-min");
    return true;
  } catch {
    return false;
  }
}

function getWorker(): Worker {
  if (worker) return worker;
  const exe = chromiumPath();
  try {
    fs.accessSync(exe, fs.constants.X_OK);
  } catch (e) {
    throw new TomolyteError(
      ERROR_CODES.MISSING_DEPENDENCY,
      `Chromium is needed to render figures but ${exe} is missing; run npm run setup (Debian package chromium) or set TOMOLYTE_CHROMIUM`,
      { path: exe },
      { cause: e },
    );
  }
  const playwright = resolveModule("playwright-core", "playwright-core");
  const plotly = resolveModule("plotly.js-dist-min", "plotly.js");
  worker = new Worker(WORKER_CODE, { eval: true, workerData: { playwright, plotly, executablePath: exe, flags: CHROMIUM_FLAGS } });
  // Do not keep the process alive for the browser; Chromium exits when its pipe closes.
  worker.unref();
  worker.on("error", () => {
    worker = undefined;
  });
  worker.on("exit", () => {
    worker = undefined;
  });
  return worker;
}

function checkOptions(options: ExportOptions, format: FigureFormat | undefined): Omit<Request, "figure"> & { timeout: number } {
  if (typeof options !== "object" || options === null) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `export options must be an object, got ${String(options)}`);
  }
  const f = options.format ?? format ?? "png";
  if (f !== "png" && f !== "svg") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `format must be "png" or "svg", got ${String(f)}`);
  const pos = (name: string, v: unknown, max: number) => {
    if (!(typeof v === "number" && Number.isFinite(v) && v > 0 && v <= max)) {
      throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${name} must be a number in (0, ${max}], got ${String(v)}`);
    }
    return v;
  };
  const width = Math.round(pos("width_px", options.width_px ?? 800, 10000));
  const height = Math.round(pos("height_px", options.height_px ?? 600, 10000));
  const scale = pos("scale", options.scale ?? 2, 10);
  if (width * scale * height * scale > 2 ** 26) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `${width} × ${height} at scale ${scale} is over 64 Mpixel; lower the size or the scale`);
  }
  const timeout = pos("timeout_ms", options.timeout_ms ?? 60_000, 3_600_000);
  return { format: f, width, height, scale, timeout };
}

/** Plain JSON of the figure (typed arrays -> arrays, NaN -> null) with DejaVu Sans as the default font. */
function plainFigure(figure: unknown): FigureLike {
  const f = figure as FigureLike;
  if (typeof f !== "object" || f === null || !Array.isArray(f.data) || (f.layout !== undefined && (typeof f.layout !== "object" || f.layout === null))) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "a figure must be a plotly figure { data: [...traces], layout?: {...} }");
  }
  const plain = JSON.parse(
    JSON.stringify({ data: f.data, layout: f.layout ?? {}, config: f.config ?? {} }, (_k, v) =>
      ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as Float64Array) : v,
    ),
  ) as Required<FigureLike>;
  const font = (plain.layout.font ?? {}) as Record<string, unknown>;
  if (font.family === undefined) plain.layout.font = { ...font, family: "DejaVu Sans" };
  return plain;
}

function decode(reply: Reply, format: FigureFormat): Uint8Array | string {
  if (!reply.ok || typeof reply.url !== "string") {
    const code = reply.code === "MISSING_DEPENDENCY" ? ERROR_CODES.MISSING_DEPENDENCY : ERROR_CODES.INTERNAL;
    const hint = code === ERROR_CODES.MISSING_DEPENDENCY ? "; run npm run setup (Chromium, playwright-core)" : "";
    throw new TomolyteError(code, `rendering the figure failed: ${reply.message ?? "no image"}${hint}`);
  }
  const comma = reply.url.indexOf(",");
  const head = reply.url.slice(0, comma);
  const body = reply.url.slice(comma + 1);
  if (format === "svg") return head.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
  return new Uint8Array(Buffer.from(body, "base64"));
}

function send(req: Request): { port: MessagePort; flag: Int32Array } {
  const w = getWorker();
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  w.postMessage({ type: "render", request: req, port: port2, flag }, [port2]);
  return { port: port1, flag };
}

function collect(port: MessagePort, timeoutMs: number): Reply {
  const m = receiveMessageOnPort(port);
  port.close();
  if (!m) return { ok: false, code: "INTERNAL", message: `no image after ${timeoutMs} ms` };
  return m.message as Reply;
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isTomolyteError(e)) throw e;
    throw new TomolyteError(ERROR_CODES.INTERNAL, `rendering the figure failed: ${(e as Error)?.message ?? String(e)}`, undefined, { cause: e });
  }
}

/**
 * Renders a plotly figure to PNG bytes or an SVG string, blocking the calling
 * thread until the image is ready (show() uses it; the first call starts
 * Chromium, about a second). Same figure and options → same SVG text / same
 * PNG pixels.
 *
 * @example
 * const png = renderFigureSync(histogramFigure(h), { format: "png", width_px: 600, height_px: 400 }) as Uint8Array;
 */
export function renderFigureSync(figure: unknown, options: ExportOptions = {}): Uint8Array | string {
  return wrap(() => {
    const o = checkOptions(options, undefined);
    const { port, flag } = send({ figure: plainFigure(figure), format: o.format, width: o.width, height: o.height, scale: o.scale });
    Atomics.wait(flag, 0, 0, o.timeout);
    return decode(collect(port, o.timeout), o.format);
  });
}

/**
 * Renders a plotly figure to PNG bytes (format "png", the default) or an SVG
 * string (format "svg") with plotly.js in headless Chromium.
 *
 * @example
 * const svg = (await renderFigure(fig, { format: "svg" })) as string;
 * const png = (await renderFigure(fig, { format: "png", width_px: 800, height_px: 600, scale: 2 })) as Uint8Array; // 1600 × 1200
 */
export async function renderFigure(figure: unknown, options: ExportOptions = {}): Promise<Uint8Array | string> {
  const o = wrap(() => checkOptions(options, undefined));
  const req: Request = { figure: wrap(() => plainFigure(figure)), format: o.format, width: o.width, height: o.height, scale: o.scale };
  const { port, flag } = wrap(() => send(req));
  // The worker is unref'd (the browser must not keep Node alive), and a pending
  // Atomics.waitAsync does not either: hold the worker while this render runs.
  const w = worker;
  pending++;
  w?.ref();
  try {
    await waitFor(flag, o.timeout);
  } finally {
    if (--pending === 0) w?.unref();
  }
  return wrap(() => decode(collect(port, o.timeout), o.format));
}

let pending = 0;

async function waitFor(flag: Int32Array, timeout: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync?: (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
  if (waitAsync) {
    const w = waitAsync(flag, 0, 0, timeout);
    if (w.async) await w.value;
  } else {
    const t0 = Date.now();
    while (Atomics.load(flag, 0) === 0 && Date.now() - t0 < timeout) await new Promise((r) => setTimeout(r, 20));
  }
}

export interface ExportResult {
  path: string;
  format: FigureFormat;
  bytes: number;
  /** Pixel size of a PNG (width_px × scale, height_px × scale); the CSS size for SVG. */
  width: number;
  height: number;
}

/**
 * Renders a figure and writes it to `file` atomically (temp file in the same
 * folder, then rename: a reader never sees half a file). The format comes from
 * the extension (.png / .svg) unless `format` is given.
 *
 * @example
 * await exportFigure(histogramFigure(h, { thresholds }), "figures/histogram.svg");
 * await exportFigure(fig, "figures/histogram.png", { width_px: 800, height_px: 600, scale: 2 });
 * await closeFigureRenderer(); // at the end of a script (optional: the browser does not keep Node alive)
 */
export async function exportFigure(figure: unknown, file: string, options: ExportOptions = {}): Promise<ExportResult> {
  if (typeof file !== "string" || file === "") throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `file must be a path, got ${String(file)}`);
  const ext = path.extname(file).toLowerCase().slice(1);
  const fromExt = ext === "png" || ext === "svg" ? (ext as FigureFormat) : undefined;
  const format = options.format ?? fromExt;
  if (!format) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, `cannot tell the format of ${file}: use a .png or .svg name, or pass { format }`);
  }
  const o = checkOptions({ ...options, format }, format);
  const image = await renderFigure(figure, { ...options, format });
  const bytes = typeof image === "string" ? Buffer.from(image, "utf8") : image;
  const temp = tempNameFor(file);
  try {
    await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await fs.promises.writeFile(temp, bytes, { flag: "wx" });
    await fs.promises.rename(temp, file);
  } catch (e) {
    await removeQuietly(temp);
    throw writeFailed(file, e);
  }
  const scale = format === "png" ? o.scale : 1;
  return { path: file, format, bytes: bytes.length, width: Math.round(o.width * scale), height: Math.round(o.height * scale) };
}

/**
 * Closes the shared browser and its worker (the next render starts a new one).
 *
 * @example
 * await closeFigureRenderer();
 */
export async function closeFigureRenderer(): Promise<void> {
  const w = worker;
  if (!w) return;
  worker = undefined;
  const { port1, port2 } = new MessageChannel();
  port1.unref();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  w.postMessage({ type: "close", port: port2, flag }, [port2]);
  w.ref();
  await waitFor(flag, 10_000);
  port1.close();
  await w.terminate();
}
