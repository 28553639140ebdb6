/**
 * The volume output widget: three orthogonal planes (XY, XZ, YZ) with linked crosshairs, or
 * one enlarged; a slider and keys per plane; window/level inputs, auto contrast, histogram
 * with draggable limits, colour maps; zoom/pan with a scale bar; the label overlay (legend
 * with per-phase toggles, opacity, outline mode); hover readout; PNG export; the view state
 * saved in the output's metadata.
 *
 * Test hooks (stable): the root has class `tomolyte-volume-view` and data-testid
 * `tomolyte-volume`, and mirrors its state in `data-z`, `data-y`, `data-x`, `data-window-lo`,
 * `data-window-hi`, `data-opacity`, `data-overlay`, `data-outline`, `data-colormap`,
 * `data-hidden-phases`, `data-layout`, `data-active`, `data-zoom-x-y` etc. (dataset zoomXY,
 * zoomXZ, zoomYZ), `data-saved` (metadata writes), `data-rendered` (a counter bumped after every
 * redraw), and its timings `data-decode-ms` and `data-draw-ms` (last frame; each plane's root
 * has its own `data-draw-ms`). Controls carry data-testid `tomolyte-canvas` (XY),
 * `tomolyte-canvas-xz`, `tomolyte-canvas-yz`, `tomolyte-{z,y,x}-slider`, `tomolyte-{z,y,x}-label`,
 * `tomolyte-viewport-<plane>`, `tomolyte-scalebar-<plane>`, `tomolyte-layout-{all,xy,xz,yz}`,
 * `tomolyte-zoom-reset`, `tomolyte-export-png`, `tomolyte-window-lo`, `tomolyte-window-hi`,
 * `tomolyte-window-reset`, `tomolyte-window-auto`, `tomolyte-colormap`, `tomolyte-histogram`,
 * `tomolyte-opacity`, `tomolyte-overlay-toggle`, `tomolyte-outline`, `tomolyte-phase-<value>`.
 *
 * Faithfulness: each plane's canvas holds exactly one pixel per voxel, drawn with
 * putImageData; display scaling, zoom and pan are CSS only (image-rendering: pixelated), and
 * the crosshair and scale bar are separate elements, so the canvas pixels never change with
 * the view.
 */
import { Widget } from "@lumino/widgets";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { decodeVolumeBundleAsync, DecodedVolume, VOLUME_MIME_TYPE, VolumePayloadError } from "./decode";
import { buildGreyLut, composeRgba, phaseColors, RGB } from "./render";
import {
  COLORMAPS,
  ColormapName,
  colormapTable,
  extractPlane,
  greyPlane,
  histogramBins,
  labelPlaneArray,
  outlineMask,
  percentileWindow,
  Plane,
  planeAxes,
  PLANES,
  scaleBar,
  sliceAxis,
  voxelIndex,
  zoomAt,
  ZoomState,
  sanitizeViewState,
  ViewState,
} from "./planes";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, attrs: Record<string, string> = {}): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(4) : String(+v.toPrecision(6));
}

/** Root node -> view, for the shared key listener. */
const VIEWS = new WeakMap<Element, VolumeView>();
let keyInterceptorInstalled = false;

/**
 * One keydown listener in the capture phase on window: it runs before Lumino's listener on
 * document, so keys meant for a focused viewer are not taken by JupyterLab's shortcuts.
 */
function installKeyInterceptor(): void {
  if (keyInterceptorInstalled || typeof window === "undefined") return;
  keyInterceptorInstalled = true;
  window.addEventListener(
    "keydown",
    (e) => {
      const target = e.target;
      if (!(target instanceof Element)) return;
      const root = target.closest(".tomolyte-volume-view");
      const view = root ? VIEWS.get(root) : undefined;
      view?.handleKey(e);
    },
    true,
  );
}

/** Longest side, in CSS pixels, of the largest plane: three planes (side by side in a usual notebook width), or one enlarged. */
const TARGET_PX_ALL = 272;
const TARGET_PX_SINGLE = 600;
const AXIS_NAMES = ["z", "y", "x"] as const;
const HIST_W = 256;
const HIST_H = 44;

export type Layout = "all" | Plane;

/** One plane of the viewer: its canvas (one pixel per voxel), crosshair, zoom and scale bar. */
class PlaneView {
  readonly root: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  readonly slider: HTMLInputElement;
  readonly label: HTMLElement;
  readonly viewport: HTMLElement;
  readonly layer: HTMLElement;
  readonly crossV: HTMLElement;
  readonly crossH: HTMLElement;
  readonly bar: HTMLElement;
  readonly barText: HTMLElement;
  grey = new Uint8Array(0);
  labelPlane: Uint8Array | Uint16Array | Uint32Array | null = null;
  mask: Uint8Array | null = null;
  image: ImageData | null = null;
  zoom: ZoomState = { scale: 1, tx: 0, ty: 0 };
  width = 0;
  height = 0;
  cssW = 0;
  cssH = 0;
  pxPerUm = 1;
  drawMs = 0;

  constructor(readonly plane: Plane) {
    const axis = AXIS_NAMES[sliceAxis(plane)];
    this.root = el("div", "tomolyte-plane", { "data-plane": plane });
    const head = el("label", "tomolyte-row tomolyte-plane-head");
    head.append(Object.assign(el("span", "tomolyte-plane-name"), { textContent: `${plane.toUpperCase()} · ${axis}` }));
    this.slider = el("input", `tomolyte-slider tomolyte-${axis}-slider`, {
      type: "range", min: "0", max: "0", step: "1", "data-testid": `tomolyte-${axis}-slider`, "aria-label": `slice index ${axis}`,
    });
    this.label = el("span", `tomolyte-slice-label tomolyte-${axis}-label`, { "data-testid": `tomolyte-${axis}-label` });
    head.append(this.slider, this.label);
    this.viewport = el("div", "tomolyte-viewport", { "data-testid": `tomolyte-viewport-${plane}` });
    this.layer = el("div", "tomolyte-zoom-layer");
    this.canvas = el("canvas", "tomolyte-canvas", { "data-testid": plane === "xy" ? "tomolyte-canvas" : `tomolyte-canvas-${plane}`, "data-plane": plane });
    this.ctx = this.canvas.getContext("2d")!;
    this.crossV = el("div", "tomolyte-cross tomolyte-cross-v");
    this.crossH = el("div", "tomolyte-cross tomolyte-cross-h");
    this.layer.append(this.canvas, this.crossV, this.crossH);
    this.bar = el("div", "tomolyte-scalebar", { "data-testid": `tomolyte-scalebar-${plane}` });
    this.barText = el("span", "tomolyte-scalebar-text");
    this.bar.appendChild(this.barText);
    this.viewport.append(this.layer, this.bar);
    this.root.append(head, this.viewport);
  }

  /** Sizes the canvas (w × h voxels) and its CSS box (pxPerUm at zoom 1, physical aspect). */
  resize(w: number, h: number, spacingU: number, spacingV: number, pxPerUm: number): void {
    if (this.width !== w || this.height !== h) {
      this.width = w;
      this.height = h;
      this.canvas.width = w;
      this.canvas.height = h;
      this.grey = new Uint8Array(w * h);
      this.image = this.ctx.createImageData(w, h);
    }
    this.pxPerUm = pxPerUm;
    this.cssW = Math.max(1, Math.round(w * spacingU * pxPerUm));
    this.cssH = Math.max(1, Math.round(h * spacingV * pxPerUm));
    this.canvas.style.width = `${this.cssW}px`;
    this.canvas.style.height = `${this.cssH}px`;
    this.viewport.style.width = `${this.cssW}px`;
    this.viewport.style.height = `${this.cssH}px`;
    this.applyZoom();
  }

  applyZoom(): void {
    const z = this.zoom;
    this.layer.style.transform = `translate(${z.tx}px, ${z.ty}px) scale(${z.scale})`;
    this.layer.style.setProperty("--tomolyte-zoom", String(z.scale));
    const b = scaleBar(this.pxPerUm * z.scale, Math.min(120, this.cssW * 0.45));
    this.bar.style.width = `${b.px}px`;
    this.bar.hidden = b.px <= 0;
    this.barText.textContent = b.label;
    this.bar.dataset.um = String(b.um);
    this.bar.dataset.px = b.px.toFixed(3);
  }

  /** Voxel (u, v) of the plane under a client point, or null outside. */
  pick(clientX: number, clientY: number): [number, number] | null {
    const r = this.canvas.getBoundingClientRect();
    const u = Math.floor(((clientX - r.left) / r.width) * this.width);
    const v = Math.floor(((clientY - r.top) / r.height) * this.height);
    return u < 0 || v < 0 || u >= this.width || v >= this.height ? null : [u, v];
  }
}

export class VolumeView extends Widget implements IRenderMime.IRenderer {
  private vol: DecodedVolume | null = null;
  /** Slice indices [z, y, x]: the XY plane shows z = pos[0], XZ y = pos[1], YZ x = pos[2]. */
  private pos: [number, number, number] = [0, 0, 0];
  private lo = 0;
  private hi = 1;
  private opacity = 0.4;
  private overlayOn = true;
  private outline = false;
  private hidden = new Set<number>();
  private colormap: ColormapName = "grey";
  private cmapTable: Uint8Array | undefined = undefined;
  private viewLayout: Layout = "all";
  private active: Plane = "xy";
  private crosshair = true;
  private renderCount = 0;
  private lut: ReturnType<typeof buildGreyLut> = null;
  private colors = new Map<number, RGB>();
  private pending = 0;
  private dirty = new Set<Plane>();
  private hist: { counts: Uint32Array; min: number; max: number } | null = null;
  private applyWindowInputs: () => void = () => undefined;
  private model: IRenderMime.IMimeModel | null = null;
  private source: { data: unknown; labels: unknown } | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** State right after rendering: not written back, so showing a volume does not dirty the notebook. */
  private baseline = "";

  private readonly planes: Record<Plane, PlaneView>;
  private readonly titleEl: HTMLElement;
  private readonly infoEl: HTMLElement;
  private readonly loInput: HTMLInputElement;
  private readonly hiInput: HTMLInputElement;
  private readonly cmapSelect: HTMLSelectElement;
  private readonly histCanvas: HTMLCanvasElement;
  private readonly overlayRow: HTMLElement;
  private readonly overlayToggle: HTMLInputElement;
  private readonly outlineToggle: HTMLInputElement;
  private readonly opacitySlider: HTMLInputElement;
  private readonly legend: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly errorEl: HTMLElement;
  private readonly layoutButtons: Record<Layout, HTMLButtonElement>;

  constructor(private readonly mimeType: string = VOLUME_MIME_TYPE) {
    super();
    this.addClass("tomolyte-volume-view");
    const root = this.node;
    root.dataset.testid = "tomolyte-volume";
    root.tabIndex = 0;

    this.titleEl = el("div", "tomolyte-title");
    this.infoEl = el("div", "tomolyte-info");
    this.errorEl = el("div", "tomolyte-error", { "data-testid": "tomolyte-error", role: "alert" });
    this.errorEl.hidden = true;

    // Toolbar: layout, zoom reset, PNG export.
    const bar = el("div", "tomolyte-row tomolyte-toolbar");
    const mk = (text: string, testid: string, title: string) => {
      const b = el("button", "tomolyte-button", { type: "button", "data-testid": testid, title });
      b.textContent = text;
      return b;
    };
    this.layoutButtons = {
      all: mk("3 planes", "tomolyte-layout-all", "three orthogonal planes (key 0)"),
      xy: mk("XY", "tomolyte-layout-xy", "XY plane enlarged (key 1)"),
      xz: mk("XZ", "tomolyte-layout-xz", "XZ plane enlarged (key 2)"),
      yz: mk("YZ", "tomolyte-layout-yz", "YZ plane enlarged (key 3)"),
    };
    const zoomReset = mk("reset zoom", "tomolyte-zoom-reset", "zoom 1, no pan (key r)");
    const png = mk("PNG", "tomolyte-export-png", "download the current plane as PNG, one pixel per voxel");
    bar.append(...Object.values(this.layoutButtons), zoomReset, png);

    const stage = el("div", "tomolyte-stage");
    this.planes = { xy: new PlaneView("xy"), xz: new PlaneView("xz"), yz: new PlaneView("yz") };
    for (const p of PLANES) stage.appendChild(this.planes[p].root);

    const controls = el("div", "tomolyte-controls");
    const wRow = el("div", "tomolyte-row tomolyte-window-row");
    wRow.append(Object.assign(el("span", "tomolyte-key"), { textContent: "window" }));
    this.loInput = el("input", "tomolyte-window-lo", { type: "number", step: "any", "data-testid": "tomolyte-window-lo", "aria-label": "window low" });
    this.hiInput = el("input", "tomolyte-window-hi", { type: "number", step: "any", "data-testid": "tomolyte-window-hi", "aria-label": "window high" });
    const reset = mk("reset", "tomolyte-window-reset", "back to the window sent by the kernel");
    const auto = mk("auto", "tomolyte-window-auto", "0.5–99.5 percentiles of the volume (key a)");
    this.cmapSelect = el("select", "tomolyte-colormap", { "data-testid": "tomolyte-colormap", "aria-label": "colour map" });
    for (const c of COLORMAPS) this.cmapSelect.appendChild(Object.assign(el("option", ""), { value: c, textContent: c }));
    wRow.append(this.loInput, Object.assign(el("span", "tomolyte-dash"), { textContent: "–" }), this.hiInput, reset, auto, this.cmapSelect);
    this.histCanvas = el("canvas", "tomolyte-histogram", { "data-testid": "tomolyte-histogram", title: "drag the window limits" });
    this.histCanvas.width = HIST_W;
    this.histCanvas.height = HIST_H;

    this.overlayRow = el("div", "tomolyte-row tomolyte-overlay-row");
    const toggleLabel = el("label", "tomolyte-overlay-label");
    this.overlayToggle = el("input", "tomolyte-overlay-toggle", { type: "checkbox", "data-testid": "tomolyte-overlay-toggle" });
    this.overlayToggle.checked = true;
    toggleLabel.append(this.overlayToggle, document.createTextNode(" labels"));
    const outlineLabel = el("label", "tomolyte-outline-label");
    this.outlineToggle = el("input", "tomolyte-outline", { type: "checkbox", "data-testid": "tomolyte-outline" });
    outlineLabel.append(this.outlineToggle, document.createTextNode(" outline"));
    this.opacitySlider = el("input", "tomolyte-opacity", { type: "range", min: "0", max: "1", step: "0.05", "data-testid": "tomolyte-opacity", "aria-label": "label opacity" });
    this.legend = el("div", "tomolyte-legend", { "data-testid": "tomolyte-legend" });
    this.overlayRow.append(toggleLabel, outlineLabel, this.opacitySlider, this.legend);
    this.overlayRow.hidden = true;

    this.readout = el("div", "tomolyte-readout", { "data-testid": "tomolyte-readout" });
    controls.append(wRow, this.histCanvas, this.overlayRow, this.readout);
    root.append(this.titleEl, this.errorEl, bar, stage, controls, this.infoEl);

    for (const p of PLANES) this.wirePlane(this.planes[p]);
    for (const l of Object.keys(this.layoutButtons) as Layout[]) this.layoutButtons[l].addEventListener("click", () => this.setLayout(l));
    zoomReset.addEventListener("click", () => this.resetZoom());
    png.addEventListener("click", () => this.downloadPng());
    const onWindow = () => {
      const lo = Number(this.loInput.value);
      const hi = Number(this.hiInput.value);
      if (this.loInput.value !== "" && this.hiInput.value !== "" && Number.isFinite(lo) && Number.isFinite(hi)) this.setWindow(lo, hi);
    };
    this.applyWindowInputs = onWindow;
    this.loInput.addEventListener("change", onWindow);
    this.hiInput.addEventListener("change", onWindow);
    reset.addEventListener("click", () => this.vol && this.setWindow(this.vol.window[0], this.vol.window[1]));
    auto.addEventListener("click", () => this.autoContrast());
    this.cmapSelect.addEventListener("change", () => this.setColormap(this.cmapSelect.value as ColormapName));
    this.wireHistogram();
    this.overlayToggle.addEventListener("change", () => {
      this.overlayOn = this.overlayToggle.checked;
      this.invalidate();
    });
    this.outlineToggle.addEventListener("change", () => this.setOutline(this.outlineToggle.checked));
    this.opacitySlider.addEventListener("input", () => {
      this.opacity = Number(this.opacitySlider.value);
      this.invalidate();
    });
    installKeyInterceptor();
    VIEWS.set(root, this);
    this.node.addEventListener("mouseleave", () => (this.readout.textContent = ""));
  }

  private wirePlane(pv: PlaneView): void {
    pv.slider.addEventListener("input", () => this.setSlice(pv.plane, Number(pv.slider.value)));
    let drag: { x: number; y: number; zoom: ZoomState; moved: boolean; id: number } | null = null;
    pv.viewport.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, zoom: { ...pv.zoom }, moved: false, id: e.pointerId };
      pv.viewport.setPointerCapture?.(e.pointerId);
    });
    pv.viewport.addEventListener("pointermove", (e) => {
      this.onHover(pv, e);
      if (!drag || e.pointerId !== drag.id) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      if (drag.zoom.scale > 1) {
        pv.zoom = { scale: drag.zoom.scale, tx: drag.zoom.tx + dx, ty: drag.zoom.ty + dy };
        pv.applyZoom();
        this.mirrorState();
      }
    });
    const end = (e: PointerEvent) => {
      if (!drag || e.pointerId !== drag.id) return;
      const click = !drag.moved;
      drag = null;
      if (click) {
        // A click (no drag) puts the crosshair there: the other two planes go to that voxel.
        this.active = pv.plane;
        const uv = pv.pick(e.clientX, e.clientY);
        if (uv) {
          const [h, v] = planeAxes(pv.plane);
          this.setPos(h, uv[0]);
          this.setPos(v, uv[1]);
        }
        this.node.focus({ preventScroll: true });
        this.mirrorState();
      }
    };
    pv.viewport.addEventListener("pointerup", end);
    // Again on click: the notebook focuses the cell on mousedown, after our pointerdown.
    pv.viewport.addEventListener("click", () => this.node.focus({ preventScroll: true }));
    pv.viewport.addEventListener("pointercancel", () => (drag = null));
    pv.viewport.addEventListener(
      "wheel",
      (e) => {
        if (!this.vol) return;
        e.preventDefault();
        const r = pv.viewport.getBoundingClientRect();
        // deltaY of one wheel notch is about 100: ×1.25 per notch.
        pv.zoom = zoomAt(pv.zoom, Math.pow(1.25, -e.deltaY / 100), e.clientX - r.left, e.clientY - r.top);
        pv.applyZoom();
        this.mirrorState();
      },
      { passive: false },
    );
  }

  /**
   * IRenderMime.IRenderer: called with each (new) output model, and again with the same model
   * after the viewer saved its state into the model's metadata (then the payload is the same
   * and is not decoded again).
   */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.model = model;
    const raw = model.data[this.mimeType] as unknown;
    const obj = raw && typeof raw === "object" ? (raw as { data?: unknown; labels?: { data?: unknown } }) : null;
    const source = obj ? { data: obj.data, labels: obj.labels?.data } : { data: raw, labels: undefined };
    if (this.vol && this.source && this.source.data === source.data && this.source.labels === source.labels) return;
    try {
      const t0 = performance.now();
      const vol = await decodeVolumeBundleAsync(raw);
      this.node.dataset.decodeMs = (performance.now() - t0).toFixed(2);
      this.errorEl.hidden = true;
      this.load(vol);
      this.source = source;
      const saved = (model.metadata?.[this.mimeType] as { view?: unknown } | undefined)?.view;
      if (saved) this.applyState(sanitizeViewState(saved, vol.shape));
      this.baseline = JSON.stringify(this.state);
    } catch (e) {
      this.vol = null;
      this.source = null;
      this.errorEl.hidden = false;
      const why = e instanceof VolumePayloadError ? e.message : `unexpected error: ${(e as Error)?.message ?? e}`;
      // Text only: payload contents never become HTML.
      this.errorEl.textContent = `tomolyte: cannot show this volume: ${why}`;
      this.node.dataset.error = "true";
    }
  }

  /** Restores a (sanitized) saved state: slices, window, colour map, layout, zoom, labels. */
  applyState(st: Partial<ViewState>): void {
    if (!this.vol) return;
    if (st.layout) this.setLayout(st.layout);
    if (st.active) this.active = st.active;
    if (st.z !== undefined) this.setPos(0, st.z);
    if (st.y !== undefined) this.setPos(1, st.y);
    if (st.x !== undefined) this.setPos(2, st.x);
    if (st.window) this.setWindow(st.window[0], st.window[1]);
    if (st.colormap) this.setColormap(st.colormap);
    if (st.opacity !== undefined) {
      this.opacity = st.opacity;
      this.opacitySlider.value = String(st.opacity);
    }
    if (st.overlay !== undefined) {
      this.overlayOn = st.overlay;
      this.overlayToggle.checked = st.overlay;
    }
    if (st.outline !== undefined) this.setOutline(st.outline);
    if (st.hidden) for (const v of st.hidden) this.setPhaseVisible(v, false);
    if (st.zoom) {
      for (const p of PLANES) {
        this.planes[p].zoom = { ...st.zoom[p] };
        this.planes[p].applyZoom();
      }
    }
    this.invalidate();
    this.mirrorState();
  }

  /** Writes the state into the output's metadata (debounced; skipped when unchanged). */
  private scheduleSave(): void {
    if (!this.model || !this.vol || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      const model = this.model;
      if (!model || !this.vol || this.isDisposed) return;
      const view = this.state;
      const old = model.metadata?.[this.mimeType] as Record<string, unknown> | undefined;
      const json = JSON.stringify(view);
      if (old?.view ? JSON.stringify(old.view) === json : json === this.baseline) return;
      try {
        model.setData({ metadata: { ...model.metadata, [this.mimeType]: { ...(old ?? {}), view } } as IRenderMime.IMimeModel["metadata"] });
        this.node.dataset.saved = String(Number(this.node.dataset.saved ?? 0) + 1);
      } catch {
        // A read-only model (e.g. a rendered document preview): the state is simply not kept.
      }
    }, 400);
  }

  /** Shows a decoded volume (also the entry point for viewers built on this widget). */
  load(vol: DecodedVolume): void {
    this.vol = vol;
    const [nz, ny, nx] = vol.shape;
    this.titleEl.textContent = vol.title ?? "";
    this.titleEl.hidden = !vol.title;
    const ds = vol.downsample;
    const dsText =
      ds && ds.factor.some((f) => f !== 1)
        ? ` · downsampled ×${ds.factor.join("×")} from ${ds.originalShape.join(" × ")}`
        : "";
    this.infoEl.textContent =
      `${nz} × ${ny} × ${nx} (z × y × x) ${vol.dtype} · voxel ${vol.spacing.map(formatNumber).join(" × ")} µm` + dsText;

    this.pos = [Math.floor(nz / 2), Math.floor(ny / 2), Math.floor(nx / 2)];
    for (const p of PLANES) {
      const pv = this.planes[p];
      const a = sliceAxis(p);
      pv.slider.max = String(vol.shape[a] - 1);
      pv.slider.value = String(this.pos[a]);
      pv.labelPlane = null;
      pv.mask = null;
      pv.zoom = { scale: 1, tx: 0, ty: 0 };
    }
    this.layoutPlanes();

    this.colors = vol.labels ? phaseColors(vol.labels.phases) : new Map();
    this.hidden = new Set();
    this.overlayRow.hidden = !vol.labels;
    this.opacitySlider.value = String(this.opacity);
    this.legend.replaceChildren();
    if (vol.labels) {
      for (const p of vol.labels.phases) {
        const item = el("label", "tomolyte-legend-item", { "data-value": String(p.value) });
        const box = el("input", "tomolyte-phase-toggle", { type: "checkbox", "data-testid": `tomolyte-phase-${p.value}`, "aria-label": "show phase" });
        box.checked = true;
        box.addEventListener("change", () => this.setPhaseVisible(p.value, box.checked));
        const swatch = el("span", "tomolyte-swatch");
        const c = this.colors.get(p.value)!;
        swatch.style.background = `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
        // Text node: phase names are never HTML.
        item.append(box, swatch, document.createTextNode(`${p.value}: ${p.name}`));
        this.legend.appendChild(item);
      }
    }
    this.hist = histogramBins(vol.data, HIST_W / 2);
    this.node.dataset.nz = String(nz);
    this.node.dataset.ny = String(ny);
    this.node.dataset.nx = String(nx);
    delete this.node.dataset.error;
    this.setWindow(vol.window[0], vol.window[1]);
  }

  /** CSS sizes of the planes for the layout: one µm-per-pixel scale shared by all planes. */
  private layoutPlanes(): void {
    const vol = this.vol;
    if (!vol) return;
    const ext = vol.shape.map((n, i) => n * (vol.spacing[i] > 0 ? vol.spacing[i] : 1));
    const shown = this.viewLayout === "all" ? PLANES : [this.viewLayout];
    let longest = 0;
    for (const p of shown) for (const a of planeAxes(p)) longest = Math.max(longest, ext[a]);
    const pxPerUm = (this.viewLayout === "all" ? TARGET_PX_ALL : TARGET_PX_SINGLE) / longest;
    for (const p of PLANES) {
      const pv = this.planes[p];
      const [h, v] = planeAxes(p);
      const sp = (i: number) => (vol.spacing[i] > 0 ? vol.spacing[i] : 1);
      pv.resize(vol.shape[h], vol.shape[v], sp(h), sp(v), pxPerUm);
      pv.root.hidden = !shown.includes(p);
      this.layoutButtons[p].classList.toggle("tomolyte-on", this.viewLayout === p);
    }
    this.layoutButtons.all.classList.toggle("tomolyte-on", this.viewLayout === "all");
    this.updateCrosshairs();
  }

  /** Current state, for tests and for saving in the output's metadata. */
  get state(): ViewState {
    const r = (v: number) => Math.round(v * 100) / 100;
    const zoom = {} as Record<Plane, ZoomState>;
    for (const p of PLANES) {
      const z = this.planes[p].zoom;
      zoom[p] = { scale: r(z.scale), tx: r(z.tx), ty: r(z.ty) };
    }
    return {
      z: this.pos[0], y: this.pos[1], x: this.pos[2], window: [this.lo, this.hi], colormap: this.colormap,
      layout: this.viewLayout, active: this.active, zoom, opacity: this.opacity, overlay: this.overlayOn,
      outline: this.outline, hidden: [...this.hidden].sort((a, b) => a - b),
    };
  }

  /** Slice of the XY plane (kept for callers of the one-plane viewer). */
  setZ(z: number): void {
    this.setSlice("xy", z);
  }

  /** Sets the slice index of a plane (clamped), redrawing it and moving the crosshairs. */
  setSlice(plane: Plane, index: number): void {
    this.setPos(sliceAxis(plane), index);
  }

  private setPos(axis: number, value: number): void {
    if (!this.vol) return;
    const n = this.vol.shape[axis];
    const i = Math.min(n - 1, Math.max(0, Math.round(value)));
    if (i === this.pos[axis] && this.renderCount > 0) return;
    this.pos[axis] = i;
    const plane = PLANES[axis];
    this.planes[plane].slider.value = String(i);
    this.dirty.add(plane);
    this.updateCrosshairs();
    this.schedule();
  }

  setWindow(lo: number, hi: number): void {
    if (!this.vol) return;
    this.lo = lo;
    this.hi = hi;
    this.loInput.value = String(lo);
    this.hiInput.value = String(hi);
    this.lut = buildGreyLut(this.vol.dtype, lo, hi);
    this.drawHistogram();
    this.invalidate();
  }

  /** Window from the 0.5 and 99.5 percentiles of the whole volume (sampled above 1 Mi voxels). */
  autoContrast(): void {
    if (!this.vol) return;
    const [lo, hi] = percentileWindow(this.vol.data, 0.5, 99.5);
    this.setWindow(lo, hi);
  }

  setColormap(name: ColormapName): void {
    if (!COLORMAPS.includes(name)) return;
    this.colormap = name;
    this.cmapSelect.value = name;
    // Grey is the identity: no table, the exact windowed levels.
    this.cmapTable = name === "grey" ? undefined : colormapTable(name);
    this.invalidate();
  }

  setOutline(on: boolean): void {
    this.outline = on;
    this.outlineToggle.checked = on;
    this.invalidate();
  }

  setPhaseVisible(value: number, visible: boolean): void {
    if (visible) this.hidden.delete(value);
    else this.hidden.add(value);
    const box = this.legend.querySelector<HTMLInputElement>(`[data-value="${value}"] input`);
    if (box) box.checked = visible;
    this.invalidate();
  }

  setLayout(layout: Layout): void {
    this.viewLayout = layout;
    if (layout !== "all") this.active = layout;
    for (const p of PLANES) this.planes[p].zoom = { scale: 1, tx: 0, ty: 0 };
    this.layoutPlanes();
    this.mirrorState();
  }

  resetZoom(): void {
    for (const p of PLANES) {
      this.planes[p].zoom = { scale: 1, tx: 0, ty: 0 };
      this.planes[p].applyZoom();
    }
    this.mirrorState();
  }

  /** Zoom of one plane about a point of its viewport (CSS px); for code and tests. */
  zoomPlane(plane: Plane, factor: number, cx: number, cy: number): void {
    const pv = this.planes[plane];
    pv.zoom = zoomAt(pv.zoom, factor, cx, cy);
    pv.applyZoom();
    this.mirrorState();
  }

  /** PNG (data URL) of a plane as drawn, one pixel per voxel. */
  exportPng(plane: Plane = this.active): string {
    return this.planes[plane].canvas.toDataURL("image/png");
  }

  private downloadPng(): void {
    if (!this.vol) return;
    const plane = this.viewLayout === "all" ? this.active : this.viewLayout;
    const url = this.exportPng(plane);
    const a = document.createElement("a");
    const name = (this.vol.title ?? "volume").replace(/[^\w.-]+/g, "_").slice(0, 60) || "volume";
    a.download = `${name}-${plane}-${AXIS_NAMES[sliceAxis(plane)]}${this.pos[sliceAxis(plane)]}.png`;
    a.href = url;
    this.node.dataset.exportName = a.download;
    this.node.dataset.exportBytes = String(Math.floor((url.length - url.indexOf(",") - 1) * 0.75));
    a.click();
  }

  private invalidate(): void {
    for (const p of PLANES) this.dirty.add(p);
    this.schedule();
  }

  private updateCrosshairs(): void {
    for (const p of PLANES) {
      const pv = this.planes[p];
      const [h, v] = planeAxes(p);
      pv.crossV.hidden = pv.crossH.hidden = !this.crosshair || this.viewLayout !== "all";
      if (!pv.width || !pv.height) continue;
      pv.crossV.style.left = `${((this.pos[h] + 0.5) / pv.width) * 100}%`;
      pv.crossH.style.top = `${((this.pos[v] + 0.5) / pv.height) * 100}%`;
    }
  }

  /** Coalesces redraws to one per animation frame; draws at once when the page is hidden. */
  private schedule(): void {
    if (this.pending) return;
    if (typeof requestAnimationFrame === "function" && document.visibilityState === "visible") {
      this.pending = requestAnimationFrame(() => {
        this.pending = 0;
        this.draw();
      });
    } else {
      this.draw();
    }
  }

  private draw(): void {
    const vol = this.vol;
    if (!vol) return;
    const t0 = performance.now();
    for (const p of PLANES) {
      if (!this.dirty.has(p)) continue;
      this.drawPlane(this.planes[p]);
    }
    this.dirty.clear();
    this.mirrorState();
    const d = this.node.dataset;
    d.drawMs = (performance.now() - t0).toFixed(3);
    d.rendered = String(++this.renderCount);
  }

  private drawPlane(pv: PlaneView): void {
    const vol = this.vol!;
    if (!pv.image) return;
    const t0 = performance.now();
    const axis = sliceAxis(pv.plane);
    const index = this.pos[axis];
    greyPlane(vol.data, vol.shape, pv.plane, index, this.lo, this.hi, pv.grey, this.lut);
    let overlay: Parameters<typeof composeRgba>[2];
    if (vol.labels && this.overlayOn) {
      const n = pv.width * pv.height;
      if (!pv.labelPlane || pv.labelPlane.length !== n) pv.labelPlane = labelPlaneArray(vol.labels.data, n);
      extractPlane(vol.labels.data, vol.shape, pv.plane, index, pv.labelPlane);
      let mask: Uint8Array | undefined;
      if (this.outline) {
        pv.mask ??= new Uint8Array(n);
        mask = outlineMask(pv.labelPlane, pv.width, pv.height, pv.mask);
      }
      overlay = { labels: pv.labelPlane, offset: 0, colors: this.colors, opacity: this.opacity, hidden: this.hidden, mask };
    }
    composeRgba(pv.grey, pv.image.data, overlay, this.cmapTable);
    pv.ctx.putImageData(pv.image, 0, 0);
    const um = index * vol.spacing[axis];
    pv.label.textContent = `${index} / ${vol.shape[axis] - 1} · ${formatNumber(um)} µm`;
    pv.drawMs = performance.now() - t0;
    pv.root.dataset.drawMs = pv.drawMs.toFixed(3);
  }

  /** Mirrors the state into data-* attributes (test hooks, see the file comment). */
  private mirrorState(): void {
    const d = this.node.dataset;
    d.z = String(this.pos[0]);
    d.y = String(this.pos[1]);
    d.x = String(this.pos[2]);
    d.windowLo = String(this.lo);
    d.windowHi = String(this.hi);
    d.opacity = String(this.opacity);
    d.overlay = String(!!(this.vol?.labels && this.overlayOn));
    d.outline = String(this.outline);
    d.colormap = this.colormap;
    d.hiddenPhases = [...this.hidden].sort((a, b) => a - b).join(",");
    d.layout = this.viewLayout;
    d.active = this.active;
    for (const p of PLANES) d[`zoom${p.toUpperCase()}`] = this.planes[p].zoom.scale.toFixed(4);
    this.scheduleSave();
  }

  private drawHistogram(): void {
    const h = this.hist;
    const ctx = this.histCanvas.getContext("2d");
    if (!h || !ctx) return;
    const W = HIST_W;
    const H = HIST_H;
    ctx.clearRect(0, 0, W, H);
    const bins = h.counts.length;
    let maxLog = 0;
    for (const c of h.counts) maxLog = Math.max(maxLog, Math.log1p(c));
    ctx.fillStyle = "rgba(128, 128, 128, 0.8)";
    const bw = W / bins;
    // Log counts: the background peak does not flatten the phases' peaks.
    h.counts.forEach((c, i) => {
      const bh = maxLog > 0 ? (Math.log1p(c) / maxLog) * (H - 2) : 0;
      ctx.fillRect(i * bw, H - bh, Math.max(1, bw - 0.5), bh);
    });
    ctx.fillStyle = "rgba(255, 165, 0, 0.95)";
    for (const v of [this.lo, this.hi]) ctx.fillRect(Math.round(this.valueToHistX(v)) - 1, 0, 2, H);
  }

  private valueToHistX(v: number): number {
    const h = this.hist!;
    const span = h.max > h.min ? h.max - h.min : 1;
    return Math.min(HIST_W - 1, Math.max(0, ((v - h.min) / span) * HIST_W));
  }

  private wireHistogram(): void {
    let which: "lo" | "hi" | null = null;
    const valueAt = (e: PointerEvent) => {
      const h = this.hist!;
      const r = this.histCanvas.getBoundingClientRect();
      let v = h.min + ((e.clientX - r.left) / r.width) * (h.max - h.min);
      if (this.vol && !this.vol.dtype.startsWith("float")) v = Math.round(v);
      return v;
    };
    this.histCanvas.addEventListener("pointerdown", (e) => {
      if (!this.hist || !this.vol) return;
      const v = valueAt(e);
      which = Math.abs(v - this.lo) <= Math.abs(v - this.hi) ? "lo" : "hi";
      this.histCanvas.setPointerCapture?.(e.pointerId);
      e.preventDefault();
    });
    this.histCanvas.addEventListener("pointermove", (e) => {
      if (!which) return;
      const v = valueAt(e);
      if (which === "lo") this.setWindow(Math.min(v, this.hi), this.hi);
      else this.setWindow(this.lo, Math.max(v, this.lo));
    });
    const stop = () => (which = null);
    this.histCanvas.addEventListener("pointerup", stop);
    this.histCanvas.addEventListener("pointercancel", stop);
  }

  /**
   * Keys pressed while focus is inside this viewer (called from the capture-phase listener,
   * before JupyterLab's shortcuts see them). Returns true when the key was the viewer's.
   */
  handleKey(e: KeyboardEvent): boolean {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || e.key === "Escape") return false;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement) {
      // The controls' own keys (typing, arrows on the sliders): their default actions run,
      // JupyterLab's notebook shortcuts (ArrowUp = previous cell, ...) do not.
      if (e.key === "Enter" && t instanceof HTMLInputElement && t.type === "number") this.applyWindowInputs();
      if (e.key === "Enter" && e.shiftKey) return false; // Shift-Enter still runs the cell
      e.stopPropagation();
      return true;
    }
    if (!this.vol) return false;
    const step = e.shiftKey ? 10 : 1;
    const axis = sliceAxis(this.active);
    const cur = this.pos[axis];
    const k = e.key;
    if (k === "ArrowUp" || k === "PageUp" || k === "ArrowRight") this.setPos(axis, cur + step);
    else if (k === "ArrowDown" || k === "PageDown" || k === "ArrowLeft") this.setPos(axis, cur - step);
    else if (k === "Home") this.setPos(axis, 0);
    else if (k === "End") this.setPos(axis, this.vol.shape[axis] - 1);
    else if (k === "0") this.setLayout("all");
    else if (k === "1" || k === "2" || k === "3") this.setLayout(PLANES[Number(k) - 1]);
    else if (k === "x" || k === "y" || k === "z") this.active = PLANES[AXIS_NAMES.indexOf(k)];
    else if (k === "r") this.resetZoom();
    else if (k === "a") this.autoContrast();
    else if (k === "o" && this.vol.labels) this.setOutline(!this.outline);
    else if (k === "c") {
      this.crosshair = !this.crosshair;
      this.updateCrosshairs();
    } else return false;
    this.mirrorState();
    e.preventDefault();
    e.stopPropagation();
    return true;
  }

  private onHover(pv: PlaneView, e: PointerEvent): void {
    const vol = this.vol;
    if (!vol) return;
    const uv = pv.pick(e.clientX, e.clientY);
    if (!uv) return;
    const index = this.pos[sliceAxis(pv.plane)];
    const i = voxelIndex(vol.shape, pv.plane, index, uv[0], uv[1]);
    const [, ny, nx] = vol.shape;
    const x = i % nx;
    const y = Math.floor(i / nx) % ny;
    const z = Math.floor(i / (nx * ny));
    const [dz, dy, dx] = vol.spacing;
    let text = `x ${x} y ${y} z ${z} (${formatNumber(x * dx)}, ${formatNumber(y * dy)}, ${formatNumber(z * dz)} µm) · value ${formatNumber(vol.data[i])}`;
    if (vol.labels) {
      const l = vol.labels.data[i];
      const p = vol.labels.phases.find((q) => q.value === l);
      text += ` · label ${l}${p ? ` ${p.name}` : ""}`;
    }
    this.readout.textContent = text;
  }
}
