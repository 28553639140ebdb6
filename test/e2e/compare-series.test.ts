/**
 * End to end: a linked comparison (raw / Gaussian-filtered / multi-Otsu labels over raw) and an
 * operando-style time series, both built by the kernel library's compare() and series() from a
 * crop of the real cell scan in ../shared/data, saved as the outputs of a small notebook in a
 * temp folder, opened in the JupyterLab app in Debian's Chromium. Real mouse and keyboard
 * events; every assertion on the images reads canvas pixels and compares them with the
 * payload's values through each panel's window (decoded here with Node's zlib). Screenshots:
 * test-output/e2e/compare-*.png, series-*.png (the docs' images are copies of the docs-*.png).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, recordPageErrors, ROOT, startLab, type LabServer } from "./harness";
import { countMismatches, expectedPlane, readPanel, waitData, VIEW, type Payload, type PlaneName } from "./pixels";
import { applyThresholds, compare, crop, gaussian, mimeBundle, multiOtsuThresholds, read, series, VOLUME_MIME } from "../../kernel-lib/src";
import { SHARED_DATA } from "../helpers/shared-data";

const OUT_DIR = path.join(ROOT, "test-output/e2e");
const SCAN = path.join(SHARED_DATA, "bxw_cell_vol_crop_100x320x320.tif");
const CMP = 0; // output order in the notebook
const SER = 1;

/** The notebook: two code cells whose saved outputs are what show() sends for them. */
async function buildNotebook(dir: string): Promise<{ cmp: Payload; ser: Payload }> {
  // The file states no voxel size: 1 µm, said explicitly (scale bars then read in voxels).
  const scan = await read(SCAN, { spacing_um: [1, 1, 1] });
  const box = { z: [18, 66], y: [96, 224], x: [96, 224] } as const;
  const raw = crop(scan, box);
  const smooth = gaussian(raw, { sigmaVoxels: 1.5 });
  const seg = applyThresholds(smooth, multiOtsuThresholds(smooth, { classes: 3 }), { names: ["background", "can / casing", "dense"] });
  const cmp = mimeBundle(compare([raw, smooth, { volume: raw, labels: seg }], { titles: ["raw", "gaussian σ 1.5 vx", "multi-Otsu over raw"] }), {
    title: "cell scan: raw / filtered / segmented",
  });
  // An operando-like series: the field of view drifts 8 voxels in x per frame.
  const frames = [0, 1, 2, 3, 4].map((k) => crop(scan, { ...box, x: [96 + 8 * k, 224 + 8 * k] }));
  const ser = mimeBundle(series(frames, { times_s: [0, 300, 600, 900, 1200], fps: 4 }), { title: "drift series" });
  const cell = (source: string, bundle: Record<string, unknown>, n: number) => ({
    cell_type: "code",
    execution_count: n,
    metadata: {},
    source: [source],
    outputs: [{ output_type: "display_data", data: bundle, metadata: {} }],
  });
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    cells: [
      cell('show(compare([raw, smooth, { volume: raw, labels: seg }], { titles: ["raw", "gaussian σ 1.5 vx", "multi-Otsu over raw"] }));', cmp, 1),
      cell("show(series(frames, { times_s: [0, 300, 600, 900, 1200], fps: 4 }));", ser, 2),
    ].map((c, i) => ({ ...c, id: `cell-${i}` })),
  };
  fs.writeFileSync(path.join(dir, "compare.ipynb"), JSON.stringify(nb));
  return { cmp: cmp[VOLUME_MIME] as Payload, ser: ser[VOLUME_MIME] as Payload };
}

describe("linked comparison and time series in JupyterLab (Chromium)", () => {
  let lab: LabServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let errors: string[] = [];
  let dir = "";
  let cmp: Payload;
  let ser: Payload;
  const t0 = Date.now();

  beforeAll(async () => {
    fs.mkdirSync(OUT_DIR, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-e2e-compare-"));
    ({ cmp, ser } = await buildNotebook(dir));
    lab = await startLab(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    errors = recordPageErrors(page);
    await page.goto(`${lab.url}/lab`);
    await page.waitForFunction(() => document.body.dataset.tomolyteReady === "true", null, { timeout: 120_000 });
    await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      const w = await app.commands.execute("docmanager:open", { path: "compare.ipynb", factory: "Notebook" });
      await w.context.ready;
    });
    await page.waitForFunction(({ sel }) => {
      const views = document.querySelectorAll<HTMLElement>(sel);
      return views.length === 2 && [...views].every((v) => Number(v.dataset.rendered) >= 1);
    }, { sel: VIEW }, { timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    try {
      if (page && !page.isClosed()) await page.screenshot({ path: path.join(OUT_DIR, "compare-last-state.png") });
    } catch {
      // the page may be gone already
    }
    await browser?.close().catch(() => undefined);
    await lab?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (errors.length) console.warn("page errors:\n" + errors.join("\n"));
    console.log(`e2e compare/series: ${((Date.now() - t0) / 1000).toFixed(1)} s in all`);
  }, 60_000);

  const fields = (k: number) => (k === 0 ? cmp : cmp.panels![k - 1]);
  const sliceOf = (plane: PlaneName, s: { z: number; y: number; x: number }) => (plane === "xy" ? s.z : plane === "xz" ? s.y : s.x);

  /** Every panel × plane of the comparison equals its values through its own window. */
  async function expectComparisonExact(planes: PlaneName[] = ["xy", "xz", "yz"]): Promise<void> {
    for (let k = 0; k < 3; k++) {
      for (const plane of planes) {
        const r = await readPanel(page, CMP, k, plane);
        const opacity = fields(k).labels ? r.opacity : 0;
        const m = countMismatches(r.px, expectedPlane(cmp.shape, fields(k), plane, sliceOf(plane, r), r.lo, r.hi, opacity));
        expect(m.count, `panel ${k} ${plane}: ${m.first}`).toBe(0);
      }
    }
  }

  /** A real click at the centre of voxel (u, v) of a plane of a panel (zoom 1). */
  async function clickVoxel(view: number, panel: number, plane: PlaneName, u: number, v: number): Promise<void> {
    const testid = plane === "xy" ? "tomolyte-canvas" : `tomolyte-canvas-${plane}`;
    const canvas = page.locator(VIEW).nth(view).locator(`.tomolyte-panel[data-panel="${panel}"] [data-testid="${testid}"]`);
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;
    const size = await canvas.evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
    await page.mouse.click(box.x + ((u + 0.5) / size[0]) * box.width, box.y + ((v + 0.5) / size[1]) * box.height);
  }

  /** CSS transform of each panel's zoom layer of a plane. */
  async function transforms(plane: PlaneName): Promise<string[]> {
    return page.locator(VIEW).nth(CMP).locator(`.tomolyte-panel [data-plane="${plane}"] .tomolyte-zoom-layer`).evaluateAll((ls) =>
      ls.map((l) => (l as HTMLElement).style.transform),
    );
  }

  /** The saved view of output k, and the state of a new viewer rendered from that saved output (as on reopening). */
  async function reopen(k: number) {
    await page.waitForFunction(({ sel, k }) => Number(document.querySelectorAll<HTMLElement>(sel)[k].dataset.saved ?? 0) >= 1, { sel: VIEW, k });
    await page.waitForTimeout(600); // the last change's debounced save
    return page.evaluate(async ({ mime, k }) => {
      const nb = (window as any).jupyterapp.shell.currentWidget.content;
      const out = nb.model.toJSON().cells.flatMap((c: any) => c.outputs ?? []).filter((o: any) => o.data?.[mime])[k];
      const v = nb.rendermime.createRenderer(mime);
      document.body.appendChild(v.node);
      await v.renderModel({ data: out.data, metadata: out.metadata, trusted: true, setData: () => undefined });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const panels = [...v.node.querySelectorAll(".tomolyte-panel")].map((p: any) => [p.dataset.windowLo, p.dataset.windowHi, p.dataset.colormap]);
      const d = { ...v.node.dataset };
      v.dispose();
      v.node.remove();
      return { saved: out.metadata?.[mime]?.view, d, panels };
    }, { mime: "application/vnd.tomolyte.volume+json", k });
  }

  it("shows three panels that step together, each exact through its own window", async () => {
    const view = page.locator(VIEW).nth(CMP);
    expect(await view.getAttribute("data-panels")).toBe("3");
    expect(await view.locator('[data-testid="tomolyte-panel-name"]').allTextContents()).toEqual(["raw", "gaussian σ 1.5 vx", "multi-Otsu over raw"]);
    // Windows: each panel starts with the one its payload carries.
    for (let k = 0; k < 3; k++) {
      const p = view.locator(`.tomolyte-panel[data-panel="${k}"]`);
      expect([Number(await p.getAttribute("data-window-lo")), Number(await p.getAttribute("data-window-hi"))]).toEqual(fields(k).window);
    }
    await expectComparisonExact();
    await view.screenshot({ path: path.join(OUT_DIR, "compare.png") });

    // A click in panel 1's XY moves the crosshair of all panels and selects panel 1.
    const [nz] = cmp.shape;
    await clickVoxel(CMP, 1, "xy", 40, 100);
    await waitData(page, CMP, "y", "100");
    expect([await view.getAttribute("data-x"), await view.getAttribute("data-selected"), await view.getAttribute("data-active")]).toEqual(["40", "1", "xy"]);
    const z0 = Number(await view.getAttribute("data-z"));
    expect(z0).toBe(Math.floor(nz / 2));
    for (let k = 0; k < 3; k++) await page.keyboard.press("ArrowUp");
    await waitData(page, CMP, "z", String(z0 + 3));
    await page.waitForFunction(({ sel }) => {
      // The redraw follows in the next animation frame.
      const v = document.querySelectorAll<HTMLElement>(sel)[0];
      return [...v.querySelectorAll<HTMLElement>('.tomolyte-panel [data-testid="tomolyte-z-label"]')].every((l) => l.textContent!.startsWith(String(Number(v.dataset.z)) + " "));
    }, { sel: VIEW });
    await expectComparisonExact();
    // Same crosshair in every panel.
    const cross = await view.locator('.tomolyte-panel [data-plane="xy"] .tomolyte-cross-v').evaluateAll((ls) => ls.map((l) => (l as HTMLElement).style.left));
    expect(new Set(cross).size).toBe(1);

    // The window typed in acts on the selected panel only.
    await view.locator('[data-testid="tomolyte-window-lo"]').fill("20");
    await view.locator('[data-testid="tomolyte-window-hi"]').fill("90");
    await view.locator('[data-testid="tomolyte-window-hi"]').press("Enter");
    await page.waitForFunction(({ sel }) => document.querySelectorAll<HTMLElement>(sel)[0].querySelector<HTMLElement>('.tomolyte-panel[data-panel="1"]')!.dataset.windowHi === "90", { sel: VIEW });
    expect(Number(await view.locator('.tomolyte-panel[data-panel="0"]').getAttribute("data-window-hi"))).toBe(cmp.window[1]);
    await page.waitForTimeout(100); // one animation frame for the redraw
    await expectComparisonExact(["xy"]);

    // Wheel zoom over panel 2's XY: the XY planes of all panels zoom alike; a drag on panel 0 pans all.
    const vp2 = view.locator('.tomolyte-panel[data-panel="2"] [data-testid="tomolyte-viewport-xy"]');
    const b2 = (await vp2.boundingBox())!;
    await page.mouse.move(b2.x + b2.width * 0.3, b2.y + b2.height * 0.6);
    for (let k = 0; k < 4; k++) await page.mouse.wheel(0, -100);
    await page.waitForFunction(({ sel }) => Number(document.querySelectorAll<HTMLElement>(sel)[0].dataset.zoomXY) > 2, { sel: VIEW });
    let t = await transforms("xy");
    expect(t[0]).toContain("scale(");
    expect(new Set(t).size).toBe(1);
    const b0 = (await view.locator('.tomolyte-panel[data-panel="0"] [data-testid="tomolyte-viewport-xy"]').boundingBox())!;
    await page.mouse.move(b0.x + b0.width / 2, b0.y + b0.height / 2);
    await page.mouse.down();
    await page.mouse.move(b0.x + b0.width / 2 + 30, b0.y + b0.height / 2 + 20, { steps: 4 });
    await page.mouse.up();
    const t2 = await transforms("xy");
    expect(t2[0]).not.toBe(t[0]);
    expect(new Set(t2).size).toBe(1);
    await expectComparisonExact(["xy"]); // zoom is CSS only: the canvas pixels are unchanged
    await view.screenshot({ path: path.join(OUT_DIR, "compare-zoomed.png") });
    await view.locator('[data-testid="tomolyte-zoom-reset"]').click();
    t = await transforms("xy");
    expect(new Set(t)).toEqual(new Set(["translate(0px, 0px) scale(1)"]));

    // One plane enlarged: the panels side by side (key 1 on the focused viewer).
    await view.focus();
    await page.keyboard.press("1");
    await waitData(page, CMP, "layout", "xy");
    const boxes = await Promise.all([0, 1, 2].map((k) => view.locator(`.tomolyte-panel[data-panel="${k}"]`).boundingBox()));
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x + boxes[0]!.width - 1);
    expect(Math.abs(boxes[1]!.y - boxes[0]!.y)).toBeLessThan(2);
    await view.screenshot({ path: path.join(OUT_DIR, "compare-side-by-side.png") });
    await page.keyboard.press("0");
    await waitData(page, CMP, "layout", "all");

    // Saved in the output's metadata: a viewer rendered from it has panel 1's window and the selection.
    await view.locator('[data-testid="tomolyte-colormap"]').selectOption("magma");
    const r = await reopen(CMP);
    expect(r.saved).toMatchObject({ selected: 1, panels: [{ window: [20, 90], colormap: "magma" }, { colormap: "grey" }] });
    expect(r.panels[1]).toEqual(["20", "90", "magma"]);
    expect(r.panels[0]).toEqual([String(cmp.window[0]), String(cmp.window[1]), "grey"]);
    expect([r.d.selected, r.d.z, r.d.y, r.d.x]).toEqual(["1", String(z0 + 3), "100", "40"]);
    await view.locator('[data-testid="tomolyte-colormap"]').selectOption("grey");
  }, 120_000);

  const frameFields = (f: number) => (f === 0 ? ser : ser.frames![f - 1]);

  async function expectFrameExact(frame: number): Promise<void> {
    await waitData(page, SER, "frame", String(frame));
    await page.waitForTimeout(100); // the redraw runs in the next animation frame
    for (const plane of ["xy", "yz"] as const) {
      const r = await readPanel(page, SER, 0, plane);
      expect(r.frame).toBe(frame);
      const m = countMismatches(r.px, expectedPlane(ser.shape, frameFields(frame), plane, sliceOf(plane, r), r.lo, r.hi, 0));
      expect(m.count, `frame ${frame} ${plane}: ${m.first}`).toBe(0);
    }
  }

  it("steps and plays a time series; slices, window and zoom stay", async () => {
    const view = page.locator(VIEW).nth(SER);
    await view.scrollIntoViewIfNeeded();
    expect(await view.getAttribute("data-frames")).toBe("5");
    expect(await view.locator('[data-testid="tomolyte-frame-label"]').textContent()).toBe("frame 0 / 4 · t = 0 s");
    // One window for all frames.
    expect(new Set([ser, ...ser.frames!].map((f) => f.window.join()))).toEqual(new Set([ser.window.join()]));
    await expectFrameExact(0);

    // Focus by a click in XY, then ] and [ (wrapping).
    await clickVoxel(SER, 0, "xy", 60, 30);
    await waitData(page, SER, "x", "60");
    const st = { z: await view.getAttribute("data-z"), y: await view.getAttribute("data-y"), lo: await view.getAttribute("data-window-lo") };
    await page.keyboard.press("]");
    await expectFrameExact(1);
    expect(await view.locator('[data-testid="tomolyte-frame-label"]').textContent()).toBe("frame 1 / 4 · t = 5 min");
    await page.keyboard.press("[");
    await page.keyboard.press("[");
    await expectFrameExact(4);

    // The frame slider with its own keys.
    await view.locator('[data-testid="tomolyte-frame-slider"]').focus();
    await page.keyboard.press("Home");
    await expectFrameExact(0);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await expectFrameExact(2);

    // Zoom XY, then play with the space bar at 4 fps: the frames advance in order, the rest stays.
    const vp = (await view.locator('[data-testid="tomolyte-viewport-xy"]').boundingBox())!;
    await page.mouse.move(vp.x + vp.width / 2, vp.y + vp.height / 2);
    for (let k = 0; k < 3; k++) await page.mouse.wheel(0, -100);
    await page.waitForFunction(({ sel }) => Number(document.querySelectorAll<HTMLElement>(sel)[1].dataset.zoomXY) > 1.5, { sel: VIEW });
    const zoom = await view.getAttribute("data-zoom-x-y");
    await clickVoxel(SER, 0, "xz", 60, Number(st.z)); // focus without moving z or x
    // Every frame shown is recorded in the page (a poll from here could miss one on a busy machine).
    await page.evaluate(({ sel }) => {
      const v = document.querySelectorAll<HTMLElement>(sel)[1];
      const seen: number[] = [Number(v.dataset.frame)];
      (window as any).__tomolyteFrames = seen;
      (window as any).__tomolyteFrameObserver = new MutationObserver(() => {
        const f = Number(v.dataset.frame);
        if (seen[seen.length - 1] !== f) seen.push(f);
      });
      (window as any).__tomolyteFrameObserver.observe(v, { attributes: true, attributeFilter: ["data-frame"] });
    }, { sel: VIEW });
    await page.keyboard.press(" ");
    await waitData(page, SER, "playing", "true");
    expect(await view.locator('[data-testid="tomolyte-play"]').textContent()).toContain("pause");
    await page.waitForTimeout(1600);
    const seen = await page.evaluate(() => {
      (window as any).__tomolyteFrameObserver.disconnect();
      return (window as any).__tomolyteFrames as number[];
    });
    await view.screenshot({ path: path.join(OUT_DIR, "series-playing.png") });
    // 1.6 s at 4 fps is about 6 frames; on a loaded machine at least 3 changes, each by +1 (mod 5).
    expect(seen.length, `frames seen: ${seen.join(",")}`).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < seen.length; i++) expect(seen[i], `frames seen: ${seen.join(",")}`).toBe((seen[i - 1] + 1) % 5);
    expect([await view.getAttribute("data-z"), await view.getAttribute("data-window-lo"), await view.getAttribute("data-zoom-x-y")]).toEqual([st.z, st.lo, zoom]);
    await page.keyboard.press(" ");
    await waitData(page, SER, "playing", "false");
    const stopped = Number(await view.getAttribute("data-frame"));
    await page.waitForTimeout(700);
    expect(Number(await view.getAttribute("data-frame"))).toBe(stopped);
    await expectFrameExact(stopped);

    // The rate selector.
    await view.locator('[data-testid="tomolyte-fps"]').selectOption("15");
    await waitData(page, SER, "fps", "15");
    // Saved: the frame and the rate (never "playing"); a viewer rendered from it shows that frame.
    const r = await reopen(SER);
    expect(r.saved).toMatchObject({ frame: stopped, fps: 15 });
    expect([r.d.frame, r.d.fps, r.d.playing]).toEqual([String(stopped), "15", "false"]);
    await view.locator('[data-testid="tomolyte-zoom-reset"]').click();
    expect(errors).toEqual([]);
  }, 120_000);

  /** Numbered badges over elements of the nth viewer (for the docs' annotated screenshots); returns a remover. */
  async function annotate(view: number, items: [string, number, number?, number?][]): Promise<() => Promise<void>> {
    await page.evaluate(({ sel, view, items }) => {
      const root = document.querySelectorAll<HTMLElement>(sel)[view];
      for (const [target, n, fx = 0, fy = 0.5] of items) {
        const e = root.querySelector<HTMLElement>(target);
        if (!e) throw new Error(`annotate: nothing matches ${target}`);
        const r = e.getBoundingClientRect();
        const b = document.createElement("div");
        b.className = "tomolyte-doc-badge";
        b.textContent = String(n);
        b.style.cssText =
          "position:absolute;z-index:100000;width:18px;height:18px;border-radius:9px;background:#d7191c;color:#fff;" +
          "font:bold 12px/18px sans-serif;text-align:center;box-shadow:0 0 0 2px #fff;pointer-events:none;" +
          `left:${r.left + window.scrollX + fx * r.width - 9}px;top:${r.top + window.scrollY + fy * r.height - 9}px`;
        document.body.appendChild(b);
      }
    }, { sel: VIEW, view, items });
    return async () => {
      await page.evaluate(() => document.querySelectorAll(".tomolyte-doc-badge").forEach((b) => b.remove()));
    };
  }

  /** A screenshot of the nth viewer (up to `bottom`, a selector inside it), 12 px of margin left and top for the badges. */
  async function shoot(view: number, file: string, bottom?: string): Promise<void> {
    const v = page.locator(VIEW).nth(view);
    // Its top at the top of the notebook's scroll area, below JupyterLab's toolbars.
    await v.evaluate((e) => e.scrollIntoView({ block: "start" }));
    const box = (await v.boundingBox())!;
    const end = bottom ? (await v.locator(bottom).boundingBox())! : box;
    await page.screenshot({ path: path.join(OUT_DIR, file), clip: { x: box.x - 12, y: box.y - 12, width: box.width + 12, height: end.y + end.height - box.y + 16 } });
  }

  it("writes the annotated screenshots of the docs", async () => {
    await page.setViewportSize({ width: 1280, height: 1400 });
    const view = page.locator(VIEW).nth(CMP);
    await view.evaluate((e) => e.scrollIntoView({ block: "start" }));
    // A readout to show: the pointer over panel 2's XY plane.
    const vp = (await view.locator('.tomolyte-panel[data-panel="2"] [data-testid="tomolyte-viewport-xy"]').boundingBox())!;
    await page.mouse.move(vp.x + vp.width * 0.55, vp.y + vp.height * 0.45);
    await page.waitForFunction(({ sel }) => document.querySelectorAll<HTMLElement>(sel)[0].querySelector('[data-testid="tomolyte-readout"]')!.textContent !== "", { sel: VIEW });
    const p0 = '.tomolyte-panel[data-panel="0"]';
    const remove = await annotate(CMP, [
      ['[data-testid="tomolyte-layout-all"]', 1, 0],
      ['[data-testid="tomolyte-zoom-reset"]', 2, 0],
      ['[data-testid="tomolyte-export-png"]', 3, 1],
      [`${p0} [data-testid="tomolyte-panel-name"]`, 4, 0.06],
      [`${p0} [data-testid="tomolyte-z-slider"]`, 5, 0.5, 0],
      [`${p0} [data-testid="tomolyte-z-label"]`, 6, 0.75, 1.6],
      [`${p0} [data-plane="xy"] .tomolyte-cross-v`, 7, 0.5, 0.15],
      [`${p0} [data-testid="tomolyte-scalebar-xy"]`, 8, 1.15, 0],
      ['.tomolyte-panel.tomolyte-selected', 9, 0.97, 0.06],
      ['[data-testid="tomolyte-window-lo"]', 10, 0.5, -0.45],
      ['[data-testid="tomolyte-histogram"]', 11, 1.04],
      ['[data-testid="tomolyte-colormap"]', 12, 1.05],
      ['[data-testid="tomolyte-opacity"]', 13, 1.04],
      ['[data-testid="tomolyte-legend"]', 14, 1.02],
      ['[data-testid="tomolyte-readout"]', 15, 0.93],
    ]);
    await shoot(CMP, "docs-viewer-compare.png");
    await remove();

    // The series at frame 2 and 4 fps.
    const ser = page.locator(VIEW).nth(SER);
    await ser.locator('[data-testid="tomolyte-fps"]').selectOption("4");
    await ser.locator('[data-testid="tomolyte-frame-slider"]').focus();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await waitData(page, SER, "frame", "2");
    const removeSer = await annotate(SER, [
      ['[data-testid="tomolyte-play"]', 1, 0],
      ['[data-testid="tomolyte-frame-slider"]', 2, 0.5, 0.1],
      ['[data-testid="tomolyte-frame-label"]', 3, 0.4, -0.45],
      ['[data-testid="tomolyte-fps"]', 4, 1.08],
    ]);
    await shoot(SER, "docs-viewer-series.png", ".tomolyte-stage");
    await removeSer();
    for (const f of ["docs-viewer-compare.png", "docs-viewer-series.png"]) {
      const size = fs.statSync(path.join(OUT_DIR, f)).size;
      console.log(`${f}: ${(size / 1024).toFixed(0)} KiB`);
    }
  }, 60_000);
});
