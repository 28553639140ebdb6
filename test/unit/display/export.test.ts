/**
 * Static export of plotly figures with plotly.js in headless Chromium (one browser
 * for the whole file). Needs /usr/bin/chromium, which scripts/setup.sh installs.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import {
  ERROR_CODES,
  PLOTLY_MIME,
  closeFigureRenderer,
  exportFigure,
  figureMimeBundle,
  figureRendererAvailable,
  mimeBundle,
  renderFigure,
  renderFigureSync,
} from "../../../kernel-lib/src";

const bars = {
  data: [{ type: "bar", x: ["pore", "carbon-binder", "NMC"], y: new Float64Array([0.45, 0.15, 0.4]), marker: { color: "#0072B2" } }],
  layout: {
    title: { text: "phase fractions" },
    xaxis: { title: { text: "phase name" } },
    yaxis: { title: { text: "volume fraction (-)" } },
  },
};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const b = Buffer.from(png);
  expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(b.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

/** Decoded RGBA rows of an 8-bit RGBA, non-interlaced PNG (what Chromium writes): inflate + undo the filters. */
function pngPixels(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const b = Buffer.from(png);
  const [width, height] = pngSize(png);
  expect(b[24]).toBe(8); // bit depth
  expect(b[25]).toBe(6); // RGBA
  const idat: Buffer[] = [];
  for (let p = 8; p < b.length; ) {
    const len = b.readUInt32BE(p);
    if (b.subarray(p + 4, p + 8).toString("latin1") === "IDAT") idat.push(b.subarray(p + 8, p + 8 + len));
    p += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const bpp = 4;
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const up = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      let pred = 0;
      if (f === 1) pred = a;
      else if (f === 2) pred = up;
      else if (f === 3) pred = (a + up) >> 1;
      else if (f === 4) {
        const p = a + up - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - up), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      }
      out[y * stride + x] = (v + pred) & 255;
    }
  }
  return { width, height, rgba: out };
}

afterAll(async () => {
  await closeFigureRenderer();
});

describe("figure export (plotly.js in headless Chromium)", () => {
  it.runIf(figureRendererAvailable())("SVG: axis titles and title as text, the same string on a second render", { timeout: 180_000 }, async () => {
    const svg = (await renderFigure(bars, { format: "svg", width_px: 640, height_px: 480 })) as string;
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain('width="640"');
    expect(svg).toContain('height="480"');
    expect(svg).toContain("phase name");
    expect(svg).toContain("volume fraction (-)");
    expect(svg).toContain("phase fractions");
    expect(svg).toContain("carbon-binder");
    // Fonts fixed to DejaVu Sans when the figure names none.
    expect(svg).toContain("DejaVu Sans");
    expect(await renderFigure(bars, { format: "svg", width_px: 640, height_px: 480 })).toBe(svg);
  });

  it.runIf(figureRendererAvailable())("PNG: requested size × scale, the same pixels on a second render", { timeout: 180_000 }, async () => {
    const png = (await renderFigure(bars, { format: "png", width_px: 300, height_px: 200, scale: 2 })) as Uint8Array;
    expect(pngSize(png)).toEqual([600, 400]);
    const again = renderFigureSync(bars, { format: "png", width_px: 300, height_px: 200, scale: 2 }) as Uint8Array;
    const p1 = pngPixels(png);
    const p2 = pngPixels(again);
    expect(p2.rgba).toEqual(p1.rgba);
    // White background in the corner, the bar colour #0072B2 somewhere.
    expect([...p1.rgba.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    let blue = 0;
    for (let i = 0; i < p1.rgba.length; i += 4) if (p1.rgba[i] === 0 && p1.rgba[i + 1] === 0x72 && p1.rgba[i + 2] === 0xb2) blue++;
    expect(blue).toBeGreaterThan(1000);
    expect(pngSize((await renderFigure(bars, { width_px: 200, height_px: 100, scale: 1.5 })) as Uint8Array)).toEqual([300, 150]);
  });

  it.runIf(figureRendererAvailable())("exportFigure writes atomically, format from the extension", { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "tomolyte-export-"));
    const r = await exportFigure(bars, join(dir, "sub", "bars.png"), { width_px: 400, height_px: 300 });
    expect(r).toMatchObject({ format: "png", width: 800, height: 600 });
    expect(pngSize(readFileSync(r.path))).toEqual([800, 600]);
    const s = await exportFigure(bars, join(dir, "bars.svg"));
    expect(s.format).toBe("svg");
    expect(readFileSync(s.path, "utf8")).toContain("phase name");
    // No temp files left behind.
    expect(readdirSync(dir).sort()).toEqual(["bars.svg", "sub"]);
    expect(readdirSync(join(dir, "sub"))).toEqual(["bars.png"]);
    await expect(exportFigure(bars, join(dir, "bars.pdf"))).rejects.toMatchObject({ code: ERROR_CODES.INVALID_ARGUMENT });
    await expect(exportFigure(bars, join(dir, "x.png"), { scale: 0 })).rejects.toMatchObject({ code: ERROR_CODES.INVALID_ARGUMENT });
    await expect(renderFigure({ layout: {} } as never)).rejects.toMatchObject({ code: ERROR_CODES.INVALID_ARGUMENT });
    expect(existsSync(join(dir, "x.png"))).toBe(false);
  });

  it.runIf(figureRendererAvailable())("figureMimeBundle: plotly JSON, a PNG fallback and the text summary", { timeout: 180_000 }, () => {
    const b = figureMimeBundle(bars);
    expect(Object.keys(b).sort()).toEqual([PLOTLY_MIME, "image/png", "text/plain"].sort());
    expect(pngSize(Buffer.from(String(b["image/png"]), "base64"))).toEqual([800, 500]);
    expect(b["text/plain"]).toBe("phase fractions: plotly figure, 1 trace (bar)");
    // A layout size is honoured.
    const sized = figureMimeBundle({ ...bars, layout: { ...bars.layout, width: 320, height: 240 } });
    expect(pngSize(Buffer.from(String(sized["image/png"]), "base64"))).toEqual([320, 240]);
    // png: false leaves it out; the pure builder never renders.
    expect("image/png" in figureMimeBundle(bars, { png: false })).toBe(false);
    expect("image/png" in mimeBundle(bars)).toBe(false);
  });

  it("without Chromium: MISSING_DEPENDENCY from export, show's bundle skips the PNG with a note", { timeout: 60_000 }, async () => {
    await closeFigureRenderer();
    const saved = process.env.TOMOLYTE_CHROMIUM;
    process.env.TOMOLYTE_CHROMIUM = "/nonexistent/chromium";
    try {
      expect(figureRendererAvailable()).toBe(false);
      await expect(renderFigure(bars)).rejects.toMatchObject({ code: ERROR_CODES.MISSING_DEPENDENCY });
      expect(() => renderFigureSync(bars)).toThrow(/Chromium is needed/);
      const b = figureMimeBundle(bars);
      expect("image/png" in b).toBe(false);
      expect(b[PLOTLY_MIME]).toBeDefined();
      expect(String(b["text/plain"])).toContain("(no PNG fallback: Chromium or playwright-core is not installed");
    } finally {
      if (saved === undefined) delete process.env.TOMOLYTE_CHROMIUM;
      else process.env.TOMOLYTE_CHROMIUM = saved;
    }
  });
});
