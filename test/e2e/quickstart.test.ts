/**
 * End to end: the quickstart notebook in the real JupyterLab app, run by the real tslab
 * kernel, shown by the tomolyte viewer in Debian's Chromium. Asserts the canvas shows the
 * sample (non-blank, changes with the slider) and that its pixels at zoom 1 are exactly the
 * voxel values mapped through the window (decoded here with Node's zlib, independently of
 * the extension's decoder). Screenshot: test-output/e2e/quickstart.png.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, recordPageErrors, ROOT, startLab, type LabServer } from "./harness";

const NOTEBOOK = "01-quickstart.ipynb";
const MIME = "application/vnd.tomolyte.volume+json";
const OUT_DIR = path.join(ROOT, "test-output/e2e");
const VIEW = '[data-testid="tomolyte-volume"]';

interface Bundle {
  shape: [number, number, number];
  dtype: string;
  data: string;
  window: [number, number];
  labels?: { dtype: string; data: string; phases: { value: number; name: string; color: string }[] };
}

/** Independent decoder: base64 -> raw inflate (Node's zlib) -> typed array. */
function decode(b64: string, dtype: string): ArrayLike<number> {
  const raw = zlib.inflateRawSync(Buffer.from(b64, "base64"));
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const ctors: Record<string, new (b: ArrayBuffer) => ArrayLike<number>> = {
    uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array,
    uint32: Uint32Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
  };
  return new ctors[dtype](buf);
}

/** The viewer's documented mapping (docs/jupyterlab.md): lo -> 0, hi -> 255, linear, round half up. */
function grey(v: number, lo: number, hi: number): number {
  if (!(v > lo)) return 0;
  if (v >= hi) return 255;
  return Math.floor(((v - lo) * 255) / (hi - lo) + 0.5);
}

function hexColor(c: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(c.trim());
  if (!m) throw new Error(`test expects #rrggbb phase colours, got ${c}`);
  return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16)) as [number, number, number];
}

/** RGBA of the nth viewer's canvas plus its state attributes. */
async function readView(page: Page, index: number) {
  return page.evaluate(
    ({ sel, index }) => {
      const view = document.querySelectorAll<HTMLElement>(sel)[index];
      const canvas = view.querySelector<HTMLCanvasElement>('[data-testid="tomolyte-canvas"]')!;
      const img = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      let bin = "";
      const d = img.data;
      for (let i = 0; i < d.length; i += 0x8000) bin += String.fromCharCode(...d.subarray(i, i + 0x8000));
      return {
        width: canvas.width,
        height: canvas.height,
        rgba: btoa(bin),
        z: Number(view.dataset.z),
        lo: Number(view.dataset.windowLo),
        hi: Number(view.dataset.windowHi),
        opacity: Number(view.dataset.opacity),
        overlay: view.dataset.overlay === "true",
        rendered: Number(view.dataset.rendered),
      };
    },
    { sel: VIEW, index },
  );
}

/** Expected RGBA of slice z: grey through the window, then the phase blend where labelled. */
function expectedSlice(b: Bundle, z: number, lo: number, hi: number, overlay: { opacity: number } | null): Uint8Array {
  const [, ny, nx] = b.shape;
  const n = ny * nx;
  const data = decode(b.data, b.dtype);
  const labels = overlay && b.labels ? decode(b.labels.data, b.labels.dtype) : null;
  const colors = new Map(b.labels?.phases.map((p) => [p.value, hexColor(p.color)]) ?? []);
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const g = grey(data[z * n + i], lo, hi);
    let rgb = [g, g, g];
    if (labels && overlay) {
      const c = colors.get(labels[z * n + i]);
      const a = overlay.opacity;
      if (c) rgb = c.map((ci) => Math.round(g * (1 - a) + ci * a));
    }
    out.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  }
  return out;
}

function countMismatches(actual: Uint8Array, expected: Uint8Array): { count: number; first: string } {
  let count = 0;
  let first = "";
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      if (!count) first = `byte ${i} (pixel ${i >> 2}, channel ${i & 3}): ${actual[i]} != ${expected[i]}`;
      count++;
    }
  }
  return { count, first };
}

describe("quickstart notebook in JupyterLab (Chromium)", () => {
  let lab: LabServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[] = [];
  let bundles: Bundle[] = [];
  /** Output order of the first grey-value volume and the first label volume (= viewer order). */
  let greyIndex = -1;
  let labelIndex = -1;
  const t0 = Date.now();

  beforeAll(async () => {
    fs.mkdirSync(OUT_DIR, { recursive: true });
    lab = await startLab(path.join(ROOT, "notebooks"));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = recordPageErrors(page);
    await page.goto(`${lab.url}/lab`);
    await page.waitForFunction(() => document.body.dataset.tomolyteReady === "true", null, { timeout: 120_000 });
  }, 240_000);

  afterAll(async () => {
    // Each step guarded: a failure above must still stop the browser and the server.
    try {
      if (page && !page.isClosed()) await page.screenshot({ path: path.join(OUT_DIR, "last-state.png") });
    } catch {
      // the page may be gone already
    }
    await browser?.close().catch(() => undefined);
    await lab?.stop();
    if (errors.length) console.warn("page errors:\n" + errors.join("\n"));
    console.log(`e2e quickstart: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  }, 60_000);

  it("runs every cell with the tslab kernel and renders two volume views", async () => {
    const tRun = Date.now();
    // Open through the app's own command (as a user double-clicking it), then run all cells
    // and wait for the command's promise: it settles when the last cell has finished.
    const result = await page.evaluate(
      async ({ path, mime }) => {
        const app = (window as any).jupyterapp;
        const widget = await app.commands.execute("docmanager:open", { path, factory: "Notebook" });
        await widget.context.ready;
        await widget.sessionContext.ready;
        const kernel = widget.sessionContext.session?.kernel;
        const ok = await app.commands.execute("notebook:run-all-cells");
        const cells = widget.content.model.sharedModel.cells.map((c: any) => c.toJSON());
        const code = cells.filter((c: any) => c.cell_type === "code");
        const stderr = code.flatMap((c: any) =>
          (c.outputs ?? []).filter((o: any) => o.name === "stderr" || o.output_type === "error").map((o: any) => o.text ?? o.evalue),
        );
        const bundles = code.flatMap((c: any) => (c.outputs ?? []).filter((o: any) => o.data?.[mime]).map((o: any) => o.data[mime]));
        return {
          ok,
          kernelName: kernel?.name,
          executed: code.filter((c: any) => typeof c.execution_count === "number").length,
          codeCells: code.length,
          stderr,
          bundles,
        };
      },
      { path: NOTEBOOK, mime: MIME },
    );
    console.log(`notebook run in the browser: ${((Date.now() - tRun) / 1000).toFixed(1)} s`);
    expect(result.kernelName).toBe("tslab");
    expect(result.stderr, "cells wrote to stderr").toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.executed).toBe(result.codeCells);
    bundles = result.bundles.map((b: unknown) => (typeof b === "string" ? JSON.parse(b) : b)) as Bundle[];
    greyIndex = bundles.findIndex((b) => !b.labels);
    labelIndex = bundles.findIndex((b) => !!b.labels);
    expect(greyIndex, "a show(volume) output").toBeGreaterThanOrEqual(0);
    expect(labelIndex, "a show(labels) output").toBeGreaterThanOrEqual(0);
    // The sample: 256^3 voxels at full resolution (below the 16 Mi-voxel display cap).
    expect(bundles[greyIndex].shape).toEqual([256, 256, 256]);
    expect(bundles[labelIndex].labels!.phases.length).toBeGreaterThanOrEqual(2);

    await page.waitForFunction(({ sel, n }) => {
      const views = document.querySelectorAll<HTMLElement>(sel);
      return views.length === n && [...views].every((v) => Number(v.dataset.rendered) >= 1);
    }, { sel: VIEW, n: bundles.length }, { timeout: 60_000 });
    const errorsShown = await page.locator('[data-testid="tomolyte-error"]:visible').count();
    expect(errorsShown).toBe(0);
  }, 300_000);

  /** Later tests need the outputs of the first: fail at once, not after a locator timeout. */
  function requireOutputs(): void {
    if (greyIndex < 0 || labelIndex < 0) throw new Error("the notebook produced no volume outputs (see the first test)");
  }

  it("shows the sample: non-blank pixels, exact at zoom 1, that change with the slider", async () => {
    requireOutputs();
    const view = page.locator(VIEW).nth(greyIndex);
    await view.scrollIntoViewIfNeeded();
    const b = bundles[greyIndex];
    const [nz, ny, nx] = b.shape;

    const before = await readView(page, greyIndex);
    expect([before.width, before.height]).toEqual([nx, ny]);
    expect(before.z).toBe(Math.floor(nz / 2));
    const px0 = new Uint8Array(Buffer.from(before.rgba, "base64"));
    const levels = new Set<number>();
    for (let i = 0; i < px0.length; i += 4) levels.add(px0[i]);
    expect(levels.size, "distinct grey levels on the canvas").toBeGreaterThanOrEqual(3);

    // Faithful: every byte equals value -> window -> grey (RGBA) for the middle slice.
    const m0 = countMismatches(px0, expectedSlice(b, before.z, before.lo, before.hi, null));
    expect(m0.count, m0.first).toBe(0);

    await page.screenshot({ path: path.join(OUT_DIR, "quickstart.png") });

    // Real keyboard events on the slider: Home goes to z = 0.
    const slider = view.locator('[data-testid="tomolyte-z-slider"]');
    await slider.focus();
    await page.keyboard.press("Home");
    await page.waitForFunction(({ sel, i }) => document.querySelectorAll<HTMLElement>(sel)[i].dataset.z === "0", { sel: VIEW, i: greyIndex });
    const after = await readView(page, greyIndex);
    expect(after.z).toBe(0);
    const px1 = new Uint8Array(Buffer.from(after.rgba, "base64"));
    let changed = 0;
    for (let i = 0; i < px1.length; i += 4) if (px1[i] !== px0[i]) changed++;
    expect(changed / (nx * ny), "fraction of pixels that changed").toBeGreaterThan(0.05);
    const m1 = countMismatches(px1, expectedSlice(b, 0, after.lo, after.hi, null));
    expect(m1.count, m1.first).toBe(0);

    // Window typed in: 0..100 saturates everything above 100.
    await view.locator('[data-testid="tomolyte-window-lo"]').fill("0");
    await view.locator('[data-testid="tomolyte-window-hi"]').fill("100");
    await view.locator('[data-testid="tomolyte-window-hi"]').press("Enter");
    await page.waitForFunction(({ sel, i }) => document.querySelectorAll<HTMLElement>(sel)[i].dataset.windowHi === "100", { sel: VIEW, i: greyIndex });
    const win = await readView(page, greyIndex);
    const m2 = countMismatches(new Uint8Array(Buffer.from(win.rgba, "base64")), expectedSlice(b, 0, 0, 100, null));
    expect(m2.count, m2.first).toBe(0);

    // Stepping with the keyboard on the focused viewer: 40 slices, one redraw each. Timing is
    // reported, not asserted (shared CI machines); correctness of the last slice is.
    await view.locator('[data-testid="tomolyte-canvas"]').click();
    const drawMs: number[] = [];
    for (let k = 1; k <= 40; k++) {
      await page.keyboard.press("ArrowUp");
      await page.waitForFunction(({ sel, i, z }) => document.querySelectorAll<HTMLElement>(sel)[i].dataset.z === String(z), { sel: VIEW, i: greyIndex, z: k });
      drawMs.push(Number(await view.getAttribute("data-draw-ms")));
    }
    const last = await readView(page, greyIndex);
    expect(last.z).toBe(40);
    const m3 = countMismatches(new Uint8Array(Buffer.from(last.rgba, "base64")), expectedSlice(b, 40, 0, 100, null));
    expect(m3.count, m3.first).toBe(0);
    drawMs.sort((x, y) => x - y);
    console.log(
      `viewer ${nx}x${ny} slice redraw: median ${drawMs[20].toFixed(3)} ms, max ${drawMs[39].toFixed(3)} ms; ` +
        `payload decode ${await view.getAttribute("data-decode-ms")} ms`,
    );
  }, 120_000);

  it("overlays the labels with the phase colours and the chosen opacity", async () => {
    requireOutputs();
    const view = page.locator(VIEW).nth(labelIndex);
    await view.scrollIntoViewIfNeeded();
    const b = bundles[labelIndex];
    const legend = await view.locator('[data-testid="tomolyte-legend"] .tomolyte-legend-item').allTextContents();
    expect(legend).toEqual(b.labels!.phases.map((p) => `${p.value}: ${p.name}`));
    const s = await readView(page, labelIndex);
    expect(s.overlay).toBe(true);
    const m = countMismatches(new Uint8Array(Buffer.from(s.rgba, "base64")), expectedSlice(b, s.z, s.lo, s.hi, { opacity: s.opacity }));
    expect(m.count, m.first).toBe(0);

    // Opacity to 1 with the keyboard (End on the range input): pure phase colours.
    await view.locator('[data-testid="tomolyte-opacity"]').focus();
    await page.keyboard.press("End");
    await page.waitForFunction(({ sel, i }) => document.querySelectorAll<HTMLElement>(sel)[i].dataset.opacity === "1", { sel: VIEW, i: labelIndex });
    const full = await readView(page, labelIndex);
    const m1 = countMismatches(new Uint8Array(Buffer.from(full.rgba, "base64")), expectedSlice(b, full.z, full.lo, full.hi, { opacity: 1 }));
    expect(m1.count, m1.first).toBe(0);
    await page.screenshot({ path: path.join(OUT_DIR, "quickstart-labels.png") });
  }, 120_000);
});
