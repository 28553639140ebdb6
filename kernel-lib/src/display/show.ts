/**
 * show(): sends a MIME bundle to the notebook through the tslab kernel.
 *
 * tslab's public `display.raw(mime, value)` sends one MIME type per message,
 * but the contract wants the volume, its PNG fallback and its text summary in
 * ONE display_data message (so a notebook viewed without the extension still
 * shows the PNG, and JupyterLab picks the richest type). tslab keeps the
 * current cell's writer in its internal module `dist/jupyter.js` as
 * `lastWriteDisplayData(content, update)`. We find that module among the
 * loaded CommonJS modules by its export (not by path, so any tslab install
 * location works) and call it. If a future tslab hides it, we fall back to
 * the public `display.raw` for the richest type plus the text on stdout;
 * outside tslab the text summary goes to stdout.
 */
import { ERROR_CODES, TomolyteError, isTomolyteError } from "../errors";
import { type MimeBundle, type ShowOptions, isPlotlyFigure, mimeBundle } from "./bundle";
import { PLOTLY_MIME, VOLUME_MIME } from "./contract";
import { base64Encode } from "./encode";
import { figureRendererAvailable, renderFigureSync } from "./export";

/** The display_data content tslab's writer takes. */
interface DisplayContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}

type Writer = (content: DisplayContent, update: boolean) => void;

/** How show() reached the notebook: for tests and diagnostics. */
export type DisplayRoute = "tslab-bundle" | "tslab-raw" | "stdout";

interface TslabGlobal {
  require?: (id: string) => unknown;
}

/**
 * True when running inside a tslab kernel (it sets `globalThis.__tslab__`).
 *
 * @example
 * if (!insideTslab()) console.log("not in a notebook: show() prints text");
 */
export function insideTslab(): boolean {
  return typeof (globalThis as { __tslab__?: unknown }).__tslab__ === "object";
}

function moduleCache(): Record<string, { exports?: unknown } | undefined> | undefined {
  // `require` exists in the CommonJS build (what tslab loads); not in ESM test runners.
  try {
    return typeof require === "function" ? (require.cache as Record<string, { exports?: unknown } | undefined>) : undefined;
  } catch {
    return undefined;
  }
}

/** The exports object of tslab's jupyter module, once found (its writer changes every cell). */
let tslabJupyter: { lastWriteDisplayData?: unknown } | undefined;

function findWriter(): Writer | undefined {
  if (typeof tslabJupyter?.lastWriteDisplayData === "function") return tslabJupyter.lastWriteDisplayData as Writer;
  const cache = moduleCache();
  if (!cache) return undefined;
  for (const key of Object.keys(cache)) {
    try {
      const exp = cache[key]?.exports as { lastWriteDisplayData?: unknown } | undefined;
      if (exp && typeof exp === "object" && typeof exp.lastWriteDisplayData === "function") {
        tslabJupyter = exp;
        return exp.lastWriteDisplayData as Writer;
      }
    } catch {
      // Some module's exports may throw on property access (proxies, lazy getters): skip it.
    }
  }
  return undefined;
}

/**
 * Sends a ready MIME bundle as one display message. Returns the route taken.
 *
 * @example
 * emitBundle({ "text/plain": "hello", "text/html": "<b>hello</b>" });
 */
export function emitBundle(bundle: MimeBundle, metadata: Record<string, unknown> = {}): DisplayRoute {
  if (insideTslab()) {
    const writer = findWriter();
    if (writer) {
      writer({ data: bundle, metadata, transient: {} }, false);
      return "tslab-bundle";
    }
    const tslab = (globalThis as { __tslab__?: TslabGlobal }).__tslab__;
    const pub = tslab?.require?.("tslab") as { display?: { raw?: (mime: string, v: unknown) => void } } | undefined;
    if (typeof pub?.display?.raw === "function") {
      const rich = [VOLUME_MIME, PLOTLY_MIME, "text/html", "image/png"].find((m) => m in bundle);
      if (rich) pub.display.raw(rich, bundle[rich]);
      if ("text/plain" in bundle) console.log(String(bundle["text/plain"]));
      return "tslab-raw";
    }
  }
  console.log(String(bundle["text/plain"] ?? ""));
  return "stdout";
}

/**
 * Shows a Volume, a LabelVolume, compare([...]) / series([...]) of volumes, an arquero
 * table or a plotly figure in the
 * notebook: one display message with the volume viewer's payload
 * (application/vnd.tomolyte.volume+json), a PNG of the three middle slices and
 * a text summary (tables: HTML + text; figures: plotly JSON, a PNG rendered in
 * headless Chromium when it is installed, and text). Outside a notebook it
 * prints the text summary. Returns nothing, so that tslab does not
 * print a value after the display.
 *
 * @example
 * show(ct);                                   // grey volume, window from the 0.5–99.5 percentiles
 * show(labels);                               // phases in their colours
 * show(ct, { labels, title: "segmentation" }); // overlay
 * show(compare([ct, smooth, labels]));        // side by side, stepping together
 * show(series([scan0, scan1], { times_s: [0, 600] })); // frame slider with play/pause
 * show(histogramTable(histogram(ct)));        // a table
 */
export function show(x: unknown, options: ShowOptions = {}): void {
  let bundle: MimeBundle;
  try {
    bundle = mimeBundle(x, options);
  } catch (e) {
    if (isTomolyteError(e)) throw e;
    throw new TomolyteError(ERROR_CODES.INTERNAL, `show() failed: ${(e as Error)?.message ?? String(e)}`, undefined, { cause: e });
  }
  // The PNG of a figure costs a browser render: only when a notebook will receive it.
  if (isPlotlyFigure(x) && insideTslab()) addFigurePng(bundle, x, options);
  try {
    emitBundle(bundle);
  } catch (e) {
    if (isTomolyteError(e)) throw e;
    throw new TomolyteError(ERROR_CODES.INTERNAL, `show() could not send the display message: ${(e as Error)?.message ?? String(e)}`, undefined, {
      cause: e,
    });
  }
}

/** Size of the PNG fallback of a figure when its layout gives none (CSS pixels, scale 1: small notebooks). */
const FIGURE_PNG_SIZE = { width_px: 800, height_px: 500, scale: 1 };

/**
 * What show(figure) sends in a notebook: application/vnd.plotly.v1+json, an
 * image/png fallback rendered by plotly.js in headless Chromium (blocking, see
 * export.ts), and text/plain. Without Chromium (or if the render fails) there is
 * no PNG and the text says why; it never throws for that.
 *
 * @example
 * const b = figureMimeBundle(histogramFigure(h));
 * Object.keys(b) // ["application/vnd.plotly.v1+json", "text/plain", "image/png"]
 */
export function figureMimeBundle(figure: unknown, options: ShowOptions = {}): MimeBundle {
  const bundle = mimeBundle(figure, options);
  if (!isPlotlyFigure(figure)) {
    throw new TomolyteError(ERROR_CODES.INVALID_ARGUMENT, "figureMimeBundle() needs a plotly figure { data, layout }");
  }
  addFigurePng(bundle, figure, options);
  return bundle;
}

/**
 * Adds the image/png fallback of a plotly figure (rendered by plotly.js in headless
 * Chromium, see export.ts). Never throws: without Chromium, or if the render fails or
 * times out, the bundle keeps its plotly JSON and the text says why there is no PNG.
 */
function addFigurePng(bundle: MimeBundle, figure: { layout?: Record<string, unknown> }, options: ShowOptions): void {
  if (options.png === false) return;
  const note = (why: string) => {
    bundle["text/plain"] = `${String(bundle["text/plain"] ?? "")}\n(no PNG fallback: ${why})`;
  };
  if (!figureRendererAvailable()) {
    note("Chromium or playwright-core is not installed; run npm run setup");
    return;
  }
  const w = Number(figure.layout?.width);
  const h = Number(figure.layout?.height);
  try {
    const png = renderFigureSync(figure, {
      format: "png",
      width_px: w > 0 ? w : FIGURE_PNG_SIZE.width_px,
      height_px: h > 0 ? h : FIGURE_PNG_SIZE.height_px,
      scale: FIGURE_PNG_SIZE.scale,
      timeout_ms: options.pngTimeout_ms ?? 60_000,
    }) as Uint8Array;
    bundle["image/png"] = base64Encode(png);
  } catch (e) {
    note(isTomolyteError(e) ? e.message : String(e));
  }
}
