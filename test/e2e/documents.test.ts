/**
 * End to end: volume files opened from JupyterLab's file browser by a real double-click (and
 * once through the context menu's "Open With"), read and decoded in the browser, shown by the
 * slice viewer as a main-area document. Files are written here by kernel-lib's io into the
 * server's root (a temp folder); the XY canvas of the middle slice must equal the file's
 * values mapped through the window, and the window the 0.5/99.5 percentiles of the values.
 * A damaged file shows an error message in the document. Screenshots: test-output/e2e/documents-*.png.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { createVolume, write, type Volume } from "../../kernel-lib/src";
import { percentileWindow } from "../../jupyterlab-ext/src/planes";
import { rng } from "../helpers/random";
import { launchChromium, recordPageErrors, ROOT, startLab, type LabServer } from "./harness";

const OUT_DIR = path.join(ROOT, "test-output/e2e");

/** The viewer's documented mapping (docs/jupyterlab.md): lo -> 0, hi -> 255, linear, round half up. */
function grey(v: number, lo: number, hi: number): number {
  if (!(v > lo)) return 0;
  if (v >= hi) return 255;
  return Math.floor(((v - lo) * 255) / (hi - lo) + 0.5);
}

/** Smooth structure plus noise, so a wrong axis order or byte order shows in every pixel. */
function makeVolume<A extends Uint16Array | Float32Array | Int16Array>(C: new (n: number) => A, shape: [number, number, number], spacing: [number, number, number], seed: number, scale: number, offset: number): Volume<A> {
  const r = rng(seed);
  const [nz, ny, nx] = shape;
  const a = new C(nz * ny * nx);
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      for (let x = 0; x < nx; x++) a[(z * ny + y) * nx + x] = offset + scale * (Math.sin(x / 3 + z) + y / ny + r() * 0.5);
    }
  }
  return createVolume(a, shape, spacing);
}

const FILES: Record<string, Volume> = {
  "scan.tif": makeVolume(Uint16Array, [5, 24, 32], [2, 0.5, 0.5], 1, 10000, 20000),
  "scan.npy": makeVolume(Float32Array, [4, 20, 30], [1, 1, 1], 2, 1.5, 0),
  "scan.mhd": makeVolume(Int16Array, [3, 16, 26], [0.75, 0.25, 0.25], 3, 800, -500),
  "scan.mha": makeVolume(Uint16Array, [2, 10, 12], [1.5, 1.5, 1.5], 4, 100, 1000),
};

let root: string;
let lab: LabServer;
let browser: Browser;
let page: Page;
let errors: string[];
const requests: string[] = [];

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-docs-e2e-"));
  for (const [name, vol] of Object.entries(FILES)) await write(vol, path.join(root, name));
  // A TIFF cut off in its first page directory: the reader must say so in the document.
  const tif = fs.readFileSync(path.join(root, "scan.tif"));
  const ifd = tif.readUInt32LE(4);
  fs.writeFileSync(path.join(root, "broken.tif"), tif.subarray(0, ifd + 6));
  // 1.2 GB, sparse (no disk used): above the viewer's file limit, so it must never be fetched.
  fs.closeSync(fs.openSync(path.join(root, "huge.npy"), "w"));
  fs.truncateSync(path.join(root, "huge.npy"), 1200 * 1024 * 1024);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  lab = await startLab(root);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  errors = recordPageErrors(page);
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`${lab.url}/lab`);
  await page.waitForFunction(() => document.body.dataset.tomolyteReady === "true", null, { timeout: 120_000 });
  await page.waitForSelector(".jp-DirListing-item", { timeout: 30_000 });
});

afterAll(async () => {
  if (errors?.length) console.log("page errors:\n" + errors.join("\n"));
  await browser?.close();
  await lab?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** The file browser's entry for a name. */
function entry(name: string) {
  return page.locator(".jp-DirListing-item", { has: page.locator(".jp-DirListing-itemText", { hasText: new RegExp(`^${name.replace(/\./g, "\\.")}$`) }) });
}

/** Waits for the current main-area widget to be the named volume document in a final state. */
async function waitDocument(name: string): Promise<string> {
  const waited = page.waitForFunction(
    (name) => {
      const w = (window as any).jupyterapp.shell.currentWidget;
      const doc = w?.node.querySelector("[data-testid='tomolyte-document']");
      return w?.title.label === name && doc && doc.dataset.state !== "loading";
    },
    name,
    { timeout: 30_000 },
  );
  try {
    await waited;
  } catch (e) {
    // Say what is open instead, and which viewers JupyterLab would choose for the file.
    const seen = await page.evaluate((name) => {
      const app = (window as any).jupyterapp;
      const w = app.shell.currentWidget;
      return {
        current: w?.title.label,
        text: String(w?.node.textContent ?? "").slice(0, 300),
        factories: app.docRegistry.preferredWidgetFactories(name).map((f: { name: string }) => f.name),
      };
    }, name);
    throw new Error(`${name} did not open in the viewer: ${JSON.stringify(seen)}; page errors: ${errors.join(" | ")}`);
  }
  return page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.node.querySelector("[data-testid='tomolyte-document']").dataset.state);
}

/** The XY canvas of the current document and the viewer's state attributes. */
async function readCurrent() {
  return page.evaluate(() => {
    const node = (window as any).jupyterapp.shell.currentWidget.node as HTMLElement;
    const view = node.querySelector<HTMLElement>("[data-testid='tomolyte-volume']")!;
    const canvas = view.querySelector<HTMLCanvasElement>("[data-testid='tomolyte-canvas']")!;
    const d = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
    return {
      width: canvas.width,
      height: canvas.height,
      rgba: Array.from(d),
      z: Number(view.dataset.z),
      lo: Number(view.dataset.windowLo),
      hi: Number(view.dataset.windowHi),
      nz: Number(view.dataset.nz),
      info: node.querySelector(".tomolyte-info")?.textContent ?? "",
      notes: node.querySelector("[data-testid='tomolyte-document-notes']")?.textContent ?? "",
    };
  });
}

async function checkPixels(name: string): Promise<void> {
  const vol = FILES[name];
  const [nz, ny, nx] = vol.shape;
  const got = await readCurrent();
  expect([got.nz, got.height, got.width]).toEqual([nz, ny, nx]);
  expect(got.z).toBe(Math.floor(nz / 2));
  // The reader's window is the percentiles of the values it decoded: equal to those of the file's values.
  expect([got.lo, got.hi]).toEqual(percentileWindow(vol.data, 0.5, 99.5));
  let bad = 0;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const g = grey(vol.data[(got.z * ny + y) * nx + x], got.lo, got.hi);
      const i = (y * nx + x) * 4;
      if (got.rgba[i] !== g || got.rgba[i + 1] !== g || got.rgba[i + 2] !== g || got.rgba[i + 3] !== 255) bad++;
    }
  }
  expect(bad, `${name}: pixels differing from value -> window -> grey`).toBe(0);
  // Spacing from the file (µm, z y x as the viewer prints it); .npy has none: 1 µm.
  const fmt = (v: number) => String(Number(v.toPrecision(4)));
  expect(got.info).toContain(`voxel ${[...vol.spacing].map(fmt).join(" × ")} µm`);
}

describe("volume files opened from the file browser", () => {
  for (const name of ["scan.tif", "scan.npy", "scan.mhd"]) {
    it(`double-click on ${name} opens the slice viewer with the file's values`, async () => {
      await entry(name).dblclick();
      expect(await waitDocument(name)).toBe("ready");
      await checkPixels(name);
      await page.screenshot({ path: path.join(OUT_DIR, `documents-${name.replace(".", "-")}.png`) });
    });
  }

  it("Open With > tomolyte viewer on an .mha", async () => {
    await entry("scan.mha").click({ button: "right" });
    await page.locator(".lm-Menu-item", { hasText: "Open With" }).first().hover();
    await page.locator(".lm-Menu-item", { hasText: "tomolyte viewer" }).first().click();
    expect(await waitDocument("scan.mha")).toBe("ready");
    await checkPixels("scan.mha");
  });

  it("a damaged TIFF shows the reader's message in the document", async () => {
    await entry("broken.tif").dblclick();
    expect(await waitDocument("broken.tif")).toBe("error");
    const text = await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.node.querySelector("[data-testid='tomolyte-document-error']").textContent,
    );
    expect(text).toMatch(/^tomolyte: cannot open broken\.tif: the TIFF is truncated or damaged/);
    await page.screenshot({ path: path.join(OUT_DIR, "documents-broken-tif.png") });
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  it("a file over the size limit is refused from its metadata, without downloading it", async () => {
    await entry("huge.npy").dblclick();
    expect(await waitDocument("huge.npy")).toBe("error");
    const text = await page.evaluate(
      () => (window as any).jupyterapp.shell.currentWidget.node.querySelector("[data-testid='tomolyte-document-error']").textContent,
    );
    expect(text).toMatch(/^tomolyte: cannot open huge\.npy: huge\.npy is 1200 MB, more than the viewer reads \(1025 MB\)/);
    // Only metadata was asked for: no download of the file, and no contents request with its content.
    expect(requests.filter((u) => /huge\.npy/.test(u) && (/\/files\//.test(u) || /content=1/.test(u)))).toEqual([]);
    expect(requests.some((u) => /\/api\/contents\/huge\.npy/.test(u))).toBe(true);
  });
});
