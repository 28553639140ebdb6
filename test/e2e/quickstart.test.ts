/**
 * End to end: the quickstart notebook in the real JupyterLab app, run by the real tslab
 * kernel, shown by the tomolyte viewer in Debian's Chromium. Asserts the canvas shows the
 * sample (non-blank, changes with the slider) and that its pixels at zoom 1 are exactly the
 * voxel values mapped through the window (decoded here with Node's zlib, independently of
 * the extension's decoder). Screenshot: test-output/e2e/quickstart.png.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, recordPageErrors, ROOT, startLab, type LabServer } from "./harness";
// The independent decoder (Node's zlib), the window mapping and plane indexing shared with the other e2e tests.
import { VIEW, type PlaneName, countMismatches, decode, grey, hexColor, planeOf, waitData } from "./pixels";
import { colormapTable } from "../../jupyterlab-ext/src/planes";

const NOTEBOOK = "01-quickstart.ipynb";
const MIME = "application/vnd.tomolyte.volume+json";
const OUT_DIR = path.join(ROOT, "test-output/e2e");

interface Bundle {
  shape: [number, number, number];
  dtype: string;
  data: string;
  window: [number, number];
  labels?: { dtype: string; data: string; phases: { value: number; name: string; color: string }[] };
}

/** A real mouse click on the centre of voxel (u, v) of a plane's canvas (zoom 1). */
async function clickVoxel(page: Page, index: number, plane: PlaneName, u: number, v: number): Promise<void> {
  const testid = plane === "xy" ? "tomolyte-canvas" : `tomolyte-canvas-${plane}`;
  const canvas = page.locator(VIEW).nth(index).locator(`[data-testid="${testid}"]`);
  const box = (await canvas.boundingBox())!;
  const size = await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
  await page.mouse.click(box.x + ((u + 0.5) / size[0]) * box.width, box.y + ((v + 0.5) / size[1]) * box.height);
}

async function readView(page: Page, index: number, plane: "xy" | "xz" | "yz" = "xy") {
  return page.evaluate(
    ({ sel, index, plane }) => {
      const view = document.querySelectorAll<HTMLElement>(sel)[index];
      const testid = plane === "xy" ? "tomolyte-canvas" : `tomolyte-canvas-${plane}`;
      const canvas = view.querySelector<HTMLCanvasElement>(`[data-testid="${testid}"]`)!;
      const img = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
      let bin = "";
      const d = img.data;
      for (let i = 0; i < d.length; i += 0x8000) bin += String.fromCharCode(...d.subarray(i, i + 0x8000));
      return {
        width: canvas.width,
        height: canvas.height,
        rgba: btoa(bin),
        z: Number(view.dataset.z),
        y: Number(view.dataset.y),
        x: Number(view.dataset.x),
        lo: Number(view.dataset.windowLo),
        hi: Number(view.dataset.windowHi),
        opacity: Number(view.dataset.opacity),
        overlay: view.dataset.overlay === "true",
        rendered: Number(view.dataset.rendered),
      };
    },
    { sel: VIEW, index, plane },
  );
}

interface Look {
  opacity: number;
  /** Only boundary pixels (a 4-neighbour in the plane has another label) are coloured. */
  outline?: boolean;
  hidden?: number[];
}

/** Expected RGBA of a plane: grey through the window (and colour map), then the phase blend. */
function expectedPlane(
  b: Bundle, plane: PlaneName, s: number, lo: number, hi: number, overlay: Look | null, cmap?: Uint8Array,
): Uint8Array {
  const { w, h, v } = planeOf(decode(b.data, b.dtype), b.shape, plane, s);
  const labels = overlay && b.labels ? planeOf(decode(b.labels.data, b.labels.dtype), b.shape, plane, s).v : null;
  const colors = new Map(b.labels?.phases.filter((p) => !overlay?.hidden?.includes(p.value)).map((p) => [p.value, hexColor(p.color)]) ?? []);
  const out = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const g = grey(v[i], lo, hi);
    let rgb = cmap ? [cmap[g * 3], cmap[g * 3 + 1], cmap[g * 3 + 2]] : [g, g, g];
    if (labels && overlay) {
      const l = labels[i];
      const x = i % w;
      const y = Math.floor(i / w);
      const edge =
        (x > 0 && labels[i - 1] !== l) || (x < w - 1 && labels[i + 1] !== l) ||
        (y > 0 && labels[i - w] !== l) || (y < h - 1 && labels[i + w] !== l);
      const c = colors.get(l);
      const a = overlay.opacity;
      if (c && (!overlay.outline || edge)) rgb = c.map((ci, k) => Math.round(rgb[k] * (1 - a) + ci * a));
    }
    out.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  }
  return out;
}

/** Expected RGBA of XY slice z (the one-plane viewer's check). */
function expectedSlice(b: Bundle, z: number, lo: number, hi: number, overlay: { opacity: number } | null): Uint8Array {
  return expectedPlane(b, "xy", z, lo, hi, overlay);
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
    // The other two planes through the centre, equally exact (one pixel per voxel).
    for (const plane of ["xz", "yz"] as const) {
      const p = await readView(page, greyIndex, plane);
      expect([p.width, p.height]).toEqual(plane === "xz" ? [nx, nz] : [ny, nz]);
      const s = plane === "xz" ? p.y : p.x;
      expect(s).toBe(Math.floor((plane === "xz" ? ny : nx) / 2));
      const m = countMismatches(new Uint8Array(Buffer.from(p.rgba, "base64")), expectedPlane(b, plane, s, p.lo, p.hi, null));
      expect(m.count, `${plane}: ${m.first}`).toBe(0);
    }

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
    // A click at voxel (x 64, y 192) of the XY plane moves the crosshair: XZ goes to y 192,
    // YZ to x 64 (z stays), and the viewer takes the arrow keys for z.
    await clickVoxel(page, greyIndex, "xy", 64, 192);
    await waitData(page, greyIndex, "y", "192");
    const xz = await readView(page, greyIndex, "xz");
    expect([xz.x, xz.y, xz.z]).toEqual([64, 192, 0]);
    const mxz = countMismatches(new Uint8Array(Buffer.from(xz.rgba, "base64")), expectedPlane(b, "xz", 192, 0, 100, null));
    expect(mxz.count, mxz.first).toBe(0);
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

    // Outline mode (real click on the checkbox): only phase boundaries are coloured, on
    // every plane; then phase 2 of the table hidden from the legend.
    await view.locator('[data-testid="tomolyte-outline"]').click();
    await waitData(page, labelIndex, "outline", "true");
    for (const plane of ["xy", "yz"] as const) {
      const o = await readView(page, labelIndex, plane);
      const s = plane === "xy" ? o.z : o.x;
      const m = countMismatches(new Uint8Array(Buffer.from(o.rgba, "base64")), expectedPlane(b, plane, s, o.lo, o.hi, { opacity: 1, outline: true }));
      expect(m.count, `${plane}: ${m.first}`).toBe(0);
    }
    await page.screenshot({ path: path.join(OUT_DIR, "quickstart-outline.png") });
    const hiddenValue = b.labels!.phases[1].value;
    await view.locator(`[data-testid="tomolyte-phase-${hiddenValue}"]`).click();
    await waitData(page, labelIndex, "hiddenPhases", String(hiddenValue));
    const h = await readView(page, labelIndex);
    const mh = countMismatches(
      new Uint8Array(Buffer.from(h.rgba, "base64")),
      expectedPlane(b, "xy", h.z, h.lo, h.hi, { opacity: 1, outline: true, hidden: [hiddenValue] }),
    );
    expect(mh.count, mh.first).toBe(0);
  }, 120_000);

  it("steps each plane with its own keys, zooms and pans, colour maps, auto contrast, PNG export", async () => {
    requireOutputs();
    const view = page.locator(VIEW).nth(greyIndex);
    await view.scrollIntoViewIfNeeded();
    const b = bundles[greyIndex];
    const [nz, ny, nx] = b.shape;
    // Click in XZ at (x 10, z 20): YZ goes to x 10, XY to z 20; the arrows now step y.
    await clickVoxel(page, greyIndex, "xz", 10, 20);
    await waitData(page, greyIndex, "active", "xz");
    await waitData(page, greyIndex, "x", "10");
    const y0 = Number(await view.getAttribute("data-y"));
    for (let k = 0; k < 3; k++) await page.keyboard.press("ArrowUp");
    await waitData(page, greyIndex, "y", String(y0 + 3));
    expect(await view.getAttribute("data-z")).toBe("20");
    expect(await view.locator('[data-testid="tomolyte-y-label"]').textContent()).toContain(`${y0 + 3} / ${ny - 1}`);
    const xz = await readView(page, greyIndex, "xz");
    const m = countMismatches(new Uint8Array(Buffer.from(xz.rgba, "base64")), expectedPlane(b, "xz", y0 + 3, xz.lo, xz.hi, null));
    expect(m.count, m.first).toBe(0);

    // Hover readout over XZ voxel (x 30, z 40): indices, µm and the value at (40, y, 30).
    const xzBox = (await view.locator('[data-testid="tomolyte-canvas-xz"]').boundingBox())!;
    await page.mouse.move(xzBox.x + ((30 + 0.5) / nx) * xzBox.width, xzBox.y + ((40 + 0.5) / nz) * xzBox.height);
    const yH = y0 + 3;
    const value = decode(b.data, b.dtype)[(40 * ny + yH) * nx + 30];
    await page.waitForFunction(
      ({ sel, i, want }) => document.querySelectorAll<HTMLElement>(sel)[i].querySelector('[data-testid="tomolyte-readout"]')!.textContent!.startsWith(want),
      { sel: VIEW, i: greyIndex, want: `x 30 y ${yH} z 40 ` },
    );
    expect(await view.locator('[data-testid="tomolyte-readout"]').textContent()).toMatch(new RegExp(`· value ${value}$`));

    // Histogram: drag the upper limit (right line) half-way to the left with the mouse.
    const hist = (await view.locator('[data-testid="tomolyte-histogram"]').boundingBox())!;
    const hi0 = Number(await view.getAttribute("data-window-hi"));
    await page.mouse.move(hist.x + hist.width - 1, hist.y + hist.height / 2);
    await page.mouse.down();
    await page.mouse.move(hist.x + hist.width * 0.5, hist.y + hist.height / 2, { steps: 5 });
    await page.mouse.up();
    const hi1 = Number(await view.getAttribute("data-window-hi"));
    expect(hi1).toBeLessThan(hi0);
    expect(Number(await view.getAttribute("data-window-lo"))).toBeLessThanOrEqual(hi1);

    // Wheel zoom on XY: CSS transform only; the canvas keeps its exact pixels; the scale bar
    // shows fewer µm for about the same length.
    const bar = view.locator('[data-testid="tomolyte-scalebar-xy"]');
    const um0 = Number(await bar.getAttribute("data-um"));
    const vp = (await view.locator('[data-testid="tomolyte-viewport-xy"]').boundingBox())!;
    await page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
    for (let k = 0; k < 4; k++) await page.mouse.wheel(0, -100);
    await page.waitForFunction(({ sel, i }) => Number(document.querySelectorAll<HTMLElement>(sel)[i].dataset.zoomXY) > 2, { sel: VIEW, i: greyIndex });
    const um1 = Number(await bar.getAttribute("data-um"));
    expect(um1).toBeLessThan(um0);
    // Pan by dragging: the zoom layer moves by the drag.
    const layer = view.locator('[data-plane="xy"] .tomolyte-zoom-layer');
    const t0 = (await layer.boundingBox())!;
    await page.mouse.down();
    await page.mouse.move(vp.x + vp.width / 2 + 40, vp.y + vp.height / 2 + 25, { steps: 4 });
    await page.mouse.up();
    const t1 = (await layer.boundingBox())!;
    expect(t1.x - t0.x).toBeCloseTo(40, 0);
    expect(t1.y - t0.y).toBeCloseTo(25, 0);
    const zoomed = await readView(page, greyIndex);
    const mz = countMismatches(new Uint8Array(Buffer.from(zoomed.rgba, "base64")), expectedSlice(b, zoomed.z, zoomed.lo, zoomed.hi, null));
    expect(mz.count, mz.first).toBe(0);
    await page.screenshot({ path: path.join(OUT_DIR, "viewer-zoom.png") });
    await view.locator('[data-testid="tomolyte-zoom-reset"]').click();
    await waitData(page, greyIndex, "zoomXY", "1.0000");
    expect(Number(await bar.getAttribute("data-um"))).toBe(um0);

    // One plane enlarged (key 2 on the focused viewer), then the three again (key 0).
    await view.focus();
    await page.keyboard.press("2");
    await waitData(page, greyIndex, "layout", "xz");
    expect(await view.locator('.tomolyte-plane[data-plane="xy"]').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(OUT_DIR, "viewer-xz-enlarged.png") });
    await page.keyboard.press("0");
    await waitData(page, greyIndex, "layout", "all");

    // Colour map: viridis of the windowed level.
    await view.locator('[data-testid="tomolyte-colormap"]').selectOption("viridis");
    await waitData(page, greyIndex, "colormap", "viridis");
    const vir = await readView(page, greyIndex);
    const mv = countMismatches(
      new Uint8Array(Buffer.from(vir.rgba, "base64")),
      expectedPlane(b, "xy", vir.z, vir.lo, vir.hi, null, colormapTable("viridis")),
    );
    expect(mv.count, mv.first).toBe(0);
    await page.screenshot({ path: path.join(OUT_DIR, "viewer-viridis.png") });
    await view.locator('[data-testid="tomolyte-colormap"]').selectOption("grey");

    // Auto contrast: 0.5 / 99.5 percentiles of every 16th voxel (1 Mi samples of 16 Mi),
    // recomputed here by sorting.
    await view.locator('[data-testid="tomolyte-window-auto"]').click();
    const n = nz * ny * nx;
    const stride = Math.ceil(n / (1 << 20));
    const data = decode(b.data, b.dtype);
    const sample = Float64Array.from({ length: Math.ceil(n / stride) }, (_, k) => data[k * stride]).sort();
    const pct = (p: number) => sample[Math.floor((p / 100) * (sample.length - 1))];
    let lo = pct(0.5);
    let hi = pct(99.5);
    if (!(hi > lo)) hi = lo + 1;
    await waitData(page, greyIndex, "windowHi", String(hi));
    expect(await view.getAttribute("data-window-lo")).toBe(String(lo));

    // PNG export of the active plane (XZ): a real download, one pixel per voxel.
    const [download] = await Promise.all([page.waitForEvent("download"), view.locator('[data-testid="tomolyte-export-png"]').click()]);
    const file = path.join(OUT_DIR, "export.png");
    await download.saveAs(file);
    const png = fs.readFileSync(file);
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([nx, nz]); // IHDR width, height
    expect(download.suggestedFilename()).toMatch(/-xz-y\d+\.png$/);

    // The state is written into the output's metadata (what the notebook file keeps); a
    // viewer rendered from that saved JSON comes back at the same slices, window and layout.
    await view.locator('[data-testid="tomolyte-colormap"]').selectOption("magma");
    await page.waitForFunction(
      ({ sel, i }) => Number(document.querySelectorAll<HTMLElement>(sel)[i].dataset.saved ?? 0) >= 1,
      { sel: VIEW, i: greyIndex },
    );
    await page.waitForTimeout(600); // the last change's debounced save
    const restored = await page.evaluate(
      async ({ mime, k }) => {
        const app = (window as any).jupyterapp;
        const nb = app.shell.currentWidget.content;
        const json = nb.model.toJSON(); // exactly what "save" writes
        const outputs = json.cells.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.data?.[mime]);
        const out = outputs[k];
        const saved = out.metadata?.[mime]?.view;
        const v = nb.rendermime.createRenderer(mime);
        document.body.appendChild(v.node);
        await v.renderModel({ data: out.data, metadata: out.metadata, trusted: true, setData: () => undefined });
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const d = { ...v.node.dataset };
        v.dispose();
        v.node.remove();
        return { saved, d };
      },
      { mime: MIME, k: greyIndex },
    );
    expect(restored.saved).toMatchObject({ z: 20, x: 10, y: y0 + 3, colormap: "magma", layout: "all", active: "xz", window: [lo, hi] });
    expect([restored.d.z, restored.d.y, restored.d.x]).toEqual(["20", String(y0 + 3), "10"]);
    expect([restored.d.colormap, restored.d.windowLo, restored.d.windowHi, restored.d.active]).toEqual(["magma", String(lo), String(hi), "xz"]);
    await view.locator('[data-testid="tomolyte-colormap"]').selectOption("grey");
  }, 120_000);

  it("renders a plotly figure from show(figure) in the notebook", async () => {
    requireOutputs();
    const traces = await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      const widget = app.shell.currentWidget;
      const nb = widget.content;
      const n = nb.model.sharedModel.cells.length;
      nb.model.sharedModel.insertCell(n, {
        cell_type: "code",
        source: 't.show({ data: [{ type: "scatter", y: [1, 3, 2] }, { type: "bar", y: [2, 1, 2] }], layout: { title: { text: "e2e figure" } } });',
      });
      nb.activeCellIndex = n;
      await app.commands.execute("notebook:run-cell");
      return n;
    });
    expect(traces).toBeGreaterThan(0);
    const fig = page.locator('[data-testid="tomolyte-plotly"]').last();
    await fig.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => {
      const v = [...document.querySelectorAll<HTMLElement>('[data-testid="tomolyte-plotly"]')].pop();
      return v?.dataset.rendered === "1" || v?.dataset.error === "true";
    }, null, { timeout: 60_000 });
    expect(await fig.getAttribute("data-error")).toBeNull();
    expect(await fig.getAttribute("data-traces")).toBe("2");
    expect(await fig.locator(".main-svg").count()).toBeGreaterThan(0);
    expect(await fig.locator(".gtitle").textContent()).toBe("e2e figure");
    await fig.scrollIntoViewIfNeeded();
    await fig.screenshot({ path: path.join(OUT_DIR, "plotly.png") });
  }, 120_000);

  it("steps a synthetic 512³ uint8 volume within an animation frame (timings reported)", async () => {
    const r = await page.evaluate(async (mime) => {
      const app = (window as any).jupyterapp;
      const rm = app.shell.currentWidget.content.rendermime;
      const view = rm.createRenderer(mime);
      document.body.appendChild(view.node);
      view.node.style.cssText = "position:fixed;left:0;top:0;z-index:10000;background:#fff";
      const n = 512;
      const data = new Uint8Array(n * n * n);
      // A smooth pattern with noise (xorshift), so every slice differs.
      let s = 12345;
      for (let i = 0; i < data.length; i++) {
        s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
        const x = i % n, y = (i >> 9) % n, z = i >> 18;
        data[i] = ((x + 2 * y + 3 * z) & 255) ^ (s & 15);
      }
      const vol = { shape: [n, n, n], spacing: [1, 1, 1], dtype: "uint8", data, window: [0, 255] };
      // First the plain strided planes (no x-major copy), then YZ again from the copy.
      view.xmajorEnabled = false;
      view.load(vol);
      const frame = () => new Promise<number>((res) => requestAnimationFrame((t) => res(t)));
      await frame();
      await frame();
      const out: Record<string, { draw: number[]; frame: number[] }> = {};
      const run = async (plane: string, key: string) => {
        const draw: number[] = [];
        const frames: number[] = [];
        let last = await frame();
        for (let k = 0; k < 60; k++) {
          view.setSlice(plane, 100 + k);
          await frame(); // the redraw runs in this frame's callbacks
          await frame();
          frames.push(performance.now() - last);
          last = performance.now();
          draw.push(Number(view.node.querySelector(`[data-plane="${plane}"]`).dataset.drawMs));
        }
        out[key] = { draw, frame: frames };
      };
      for (const plane of ["xy", "xz", "yz"]) await run(plane, plane === "yz" ? "yz strided" : plane);
      view.xmajorEnabled = true;
      const tBuild = performance.now();
      view.load(vol);
      // The copy is built between frames; the page stays responsive meanwhile (frame intervals kept).
      const intervals: number[] = [];
      let prev = await frame();
      while (view.node.dataset.xmajor !== "1" && performance.now() - tBuild < 60_000) {
        const t = await frame();
        intervals.push(t - prev);
        prev = t;
      }
      const buildMs = performance.now() - tBuild;
      intervals.sort((a, b) => a - b);
      const longestFrame = intervals[intervals.length - 1] ?? 0;
      const frameP95 = intervals[Math.floor(intervals.length * 0.95)] ?? 0;
      const frameMedian = intervals[intervals.length >> 1] ?? 0;
      await run("yz", "yz x-major");
      const fromCopy = view.node.querySelector('[data-plane="yz"]').dataset.xmajor;
      view.dispose();
      view.node.remove();
      return { out, buildMs, longestFrame, frameP95, frameMedian, frames: intervals.length, fromCopy };
    }, MIME);
    const q = (a: number[], p: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
    const lines = Object.entries(r.out).map(
      ([plane, t]) => `${plane}: redraw median ${q(t.draw, 0.5).toFixed(2)} ms, p95 ${q(t.draw, 0.95).toFixed(2)} ms, max ${Math.max(...t.draw).toFixed(2)} ms`,
    );
    console.log(
      `512³ uint8 slice stepping (Chromium, this machine):\n  ${lines.join("\n  ")}\n` +
        `  x-major copy built in ${r.buildMs.toFixed(0)} ms between frames; ${r.frames} frames meanwhile: median ` +
        `${r.frameMedian.toFixed(1)} ms, p95 ${r.frameP95.toFixed(1)} ms, longest ${r.longestFrame.toFixed(1)} ms`,
    );
    expect(r.fromCopy).toBe("true");
    // One animation frame at 60 Hz is 16.7 ms: the median redraw of every plane fits in it.
    for (const t of Object.values(r.out)) expect(q(t.draw, 0.5)).toBeLessThan(16.7);
  }, 180_000);

  it("decodes the 256³ payload without blocking the page for long (measured)", async () => {
    requireOutputs();
    // The output's JSON first, in its own task: serializing the notebook is not the decode.
    await page.evaluate(({ mime, k }) => {
      const nb = (window as any).jupyterapp.shell.currentWidget.content;
      (window as any).__tomolyteOut = nb.model.toJSON().cells.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.data?.[mime])[k];
    }, { mime: MIME, k: greyIndex });
    await page.waitForTimeout(200);
    const r = await page.evaluate(async ({ mime }) => {
      const nb = (window as any).jupyterapp.shell.currentWidget.content;
      const out = (window as any).__tomolyteOut;
      delete (window as any).__tomolyteOut;
      const longTasks: number[] = [];
      const obs = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
      obs.observe({ entryTypes: ["longtask"] });
      const v = nb.rendermime.createRenderer(mime);
      document.body.appendChild(v.node);
      const t0 = performance.now();
      await v.renderModel({ data: out.data, metadata: {}, trusted: true, setData: () => undefined });
      const total = performance.now() - t0;
      await new Promise((res) => setTimeout(res, 100));
      obs.disconnect();
      const decodeMs = Number(v.node.dataset.decodeMs);
      const decodePath = v.node.dataset.decodePath;
      v.dispose();
      v.node.remove();
      return { total, decodeMs, longTasks, decodePath };
    }, { mime: MIME });
    console.log(
      `256³ uint8 payload: decode ${r.decodeMs.toFixed(1)} ms, render call ${r.total.toFixed(1)} ms; ` +
        `long tasks (> 50 ms) meanwhile: ${r.longTasks.map((d) => d.toFixed(0)).join(", ") || "none"}`,
    );
    expect(r.decodeMs).toBeGreaterThan(0);
    // Base64 and inflate ran in the Web Worker, not on the page's thread.
    expect(r.decodePath).toBe("worker");
  }, 60_000);
});
