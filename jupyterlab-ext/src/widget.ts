/**
 * The volume output widget: three orthogonal planes (XY, XZ, YZ) with linked crosshairs, or
 * one enlarged; a slider and keys per plane; window/level inputs, auto contrast, histogram
 * with draggable limits, colour maps; zoom/pan with a scale bar; the label overlay (legend
 * with per-phase toggles, opacity, outline mode); hover readout; PNG export; the view state
 * saved in the output's metadata. A linked comparison shows several volumes as panels (one
 * row of planes each) that share slices, crosshair and zoom, each with its own window and
 * colour map (the controls act on the selected panel); a time series adds a frame slider
 * with play/pause.
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
 * Comparisons: each panel is a `.tomolyte-panel` with `data-panel` (0, 1, ...) holding its own
 * canvases (same testids), `data-window-lo/hi`, `data-colormap`; the root has `data-panels` and
 * `data-selected` (its window attributes are the selected panel's). Series: `data-frame`,
 * `data-frames`, `data-playing`, `data-fps`; controls `tomolyte-play`, `tomolyte-frame-slider`,
 * `tomolyte-frame-label`, `tomolyte-fps`. `data-xmajor` counts the YZ copies finished;
 * `data-decode-path` says how the payload was decoded (worker, native, fflate).
 *
 * Faithfulness: each plane's canvas holds exactly one pixel per voxel, drawn with
 * putImageData; display scaling, zoom and pan are CSS only (image-rendering: pixelated), and
 * the crosshair and scale bar are separate elements, so the canvas pixels never change with
 * the view.
 */
import { Widget } from "@lumino/widgets";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { decodeVolumeBundleAsync, DecodedVolume, VOLUME_MIME_TYPE, VolumePayloadError, VoxelData } from "./decode";
import { FPS_CHOICES, formatTime, msUntilNext, PlayerState, stepFrame, tick } from "./player";
import { XMajorCopy } from "./xmajor";
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
  PanelViewState,
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
/** The same with two or more panels: three panels of one enlarged plane fit a notebook's width. */
const TARGET_PX_ALL_PANELS = 200;
const TARGET_PX_SINGLE_PANELS = 300;
/** YZ planes of volumes with at least this many voxels (and nx >= 128) are served from an x-major copy. */
const XMAJOR_MIN_VOXELS = 1 << 22;
/** Bytes of x-major copies kept at once (least recently used dropped first). */
const XMAJOR_BUDGET_BYTES = 512 * 1024 * 1024;
/** Work per slice of the background copy, between frames (ms). */
const XMAJOR_SLICE_MS = 4;
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

/** One volume of the viewer: a row of the three planes, its own window, colour map and histogram. */
class Panel {
  readonly root: HTMLElement;
  readonly nameEl: HTMLElement;
  readonly planes: Record<Plane, PlaneView>;
  /** The volume shown (a series' current frame). */
  vol: DecodedVolume;
  lo = 0;
  hi = 1;
  colormap: ColormapName = "grey";
  cmapTable: Uint8Array | undefined = undefined;
  lut: ReturnType<typeof buildGreyLut> = null;
  readonly dirty = new Set<Plane>();

  constructor(readonly index: number, vol: DecodedVolume) {
    this.vol = vol;
    this.root = el("div", "tomolyte-panel", { "data-panel": String(index) });
    this.nameEl = el("div", "tomolyte-panel-name", { "data-testid": "tomolyte-panel-name" });
    const row = el("div", "tomolyte-panel-planes");
    this.planes = { xy: new PlaneView("xy"), xz: new PlaneView("xz"), yz: new PlaneView("yz") };
    for (const p of PLANES) row.appendChild(this.planes[p].root);
    this.root.append(this.nameEl, row);
  }

  setWindow(lo: number, hi: number): void {
    this.lo = lo;
    this.hi = hi;
    this.lut = buildGreyLut(this.vol.dtype, lo, hi);
    this.root.dataset.windowLo = String(lo);
    this.root.dataset.windowHi = String(hi);
    for (const p of PLANES) this.dirty.add(p);
  }

  setColormap(name: ColormapName): void {
    this.colormap = name;
    // Grey is the identity: no table, the exact windowed levels.
    this.cmapTable = name === "grey" ? undefined : colormapTable(name);
    this.root.dataset.colormap = name;
    for (const p of PLANES) this.dirty.add(p);
  }
}

export class VolumeView extends Widget implements IRenderMime.IRenderer {
  /** Panel 0's volume as loaded (with its panels / frames): null before a payload was shown. */
  private vol: DecodedVolume | null = null;
  private panels: Panel[] = [];
  private selected = 0;
  /** Series: all frames (frame 0 = the loaded volume); a single volume is one frame. */
  private frames: DecodedVolume[] = [];
  private player: PlayerState = { frame: 0, count: 1, playing: false, fps: 4, shownAt: 0 };
  private playTimer: ReturnType<typeof setTimeout> | null = null;
  /** Slice indices [z, y, x]: the XY plane shows z = pos[0], XZ y = pos[1], YZ x = pos[2]. */
  private pos: [number, number, number] = [0, 0, 0];
  private opacity = 0.4;
  private overlayOn = true;
  private outline = false;
  private hidden = new Set<number>();
  private viewLayout: Layout = "all";
  private active: Plane = "xy";
  private crosshair = true;
  private renderCount = 0;
  private colors = new Map<number, RGB>();
  private pending = 0;
  private hists = new WeakMap<DecodedVolume, { counts: Uint32Array; min: number; max: number }>();
  private applyWindowInputs: () => void = () => undefined;
  private model: IRenderMime.IMimeModel | null = null;
  private source: unknown[] | null = null;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** State right after rendering: not written back, so showing a volume does not dirty the notebook. */
  private baseline = "";
  /** x-major copies for the YZ plane, by source array, in least-recently-used order. */
  private xmajor = new Map<VoxelData, XMajorCopy>();
  private xmajorTimer: ReturnType<typeof setTimeout> | null = null;
  private xmajorDone = 0;
  /** Serve YZ planes from x-major copies (tests turn it off to time the strided path). */
  xmajorEnabled = true;

  private readonly stage: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly infoEl: HTMLElement;
  private readonly windowKey: HTMLElement;
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
  private readonly frameRow: HTMLElement;
  private readonly playButton: HTMLButtonElement;
  private readonly frameSlider: HTMLInputElement;
  private readonly frameLabel: HTMLElement;
  private readonly fpsSelect: HTMLSelectElement;

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

    // Frame row of a series: play/pause, frame slider, time, rate.
    this.frameRow = el("div", "tomolyte-row tomolyte-frame-row");
    this.playButton = mk("▶ play", "tomolyte-play", "play / pause the series (space)");
    this.frameSlider = el("input", "tomolyte-frame-slider", {
      type: "range", min: "0", max: "0", step: "1", "data-testid": "tomolyte-frame-slider", "aria-label": "frame",
    });
    this.frameLabel = el("span", "tomolyte-frame-label", { "data-testid": "tomolyte-frame-label" });
    this.fpsSelect = el("select", "tomolyte-fps", { "data-testid": "tomolyte-fps", "aria-label": "frames per second" });
    for (const f of FPS_CHOICES) this.fpsSelect.appendChild(Object.assign(el("option", ""), { value: String(f), textContent: `${f} fps` }));
    this.frameRow.append(this.playButton, this.frameSlider, this.frameLabel, this.fpsSelect);
    this.frameRow.hidden = true;

    this.stage = el("div", "tomolyte-stage");

    const controls = el("div", "tomolyte-controls");
    const wRow = el("div", "tomolyte-row tomolyte-window-row");
    this.windowKey = Object.assign(el("span", "tomolyte-key"), { textContent: "window" });
    wRow.append(this.windowKey);
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
    root.append(this.titleEl, this.errorEl, bar, this.frameRow, this.stage, controls, this.infoEl);

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
    reset.addEventListener("click", () => {
      const p = this.panels[this.selected];
      if (p) this.setWindow(p.vol.window[0], p.vol.window[1]);
    });
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
    this.playButton.addEventListener("click", () => this.setPlaying(!this.player.playing));
    this.frameSlider.addEventListener("input", () => this.setFrame(Number(this.frameSlider.value)));
    this.fpsSelect.addEventListener("change", () => this.setFps(Number(this.fpsSelect.value)));
    installKeyInterceptor();
    VIEWS.set(root, this);
    this.node.addEventListener("mouseleave", () => (this.readout.textContent = ""));
  }

  /** Every panel's view of one plane (they share slice, crosshair and zoom). */
  private planeViews(plane: Plane): PlaneView[] {
    return this.panels.map((p) => p.planes[plane]);
  }

  private wirePlane(panel: Panel, pv: PlaneView): void {
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
      if (drag.zoom.scale > 1) this.setPlaneZoom(pv.plane, { scale: drag.zoom.scale, tx: drag.zoom.tx + dx, ty: drag.zoom.ty + dy });
    });
    const end = (e: PointerEvent) => {
      if (!drag || e.pointerId !== drag.id) return;
      const click = !drag.moved;
      drag = null;
      if (click) {
        // A click (no drag) puts the crosshair there: the other two planes go to that voxel;
        // the clicked panel becomes the one the window controls act on.
        this.active = pv.plane;
        this.selectPanel(panel.index);
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
        this.setPlaneZoom(pv.plane, zoomAt(pv.zoom, Math.pow(1.25, -e.deltaY / 100), e.clientX - r.left, e.clientY - r.top));
      },
      { passive: false },
    );
  }

  /** Zoom and pan of one plane, in every panel at once. */
  private setPlaneZoom(plane: Plane, z: ZoomState): void {
    for (const pv of this.planeViews(plane)) {
      pv.zoom = { ...z };
      pv.applyZoom();
    }
    this.mirrorState();
  }

  /**
   * IRenderMime.IRenderer: called with each (new) output model, and again with the same model
   * after the viewer saved its state into the model's metadata (then the payload is the same
   * and is not decoded again).
   */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.model = model;
    const raw = model.data[this.mimeType] as unknown;
    const source = payloadStrings(raw);
    if (this.vol && this.source && this.source.length === source.length && this.source.every((s, i) => s === source[i])) return;
    try {
      const t0 = performance.now();
      const info: Parameters<typeof decodeVolumeBundleAsync>[1] = {};
      const vol = await decodeVolumeBundleAsync(raw, info);
      this.node.dataset.decodeMs = (performance.now() - t0).toFixed(2);
      this.node.dataset.decodePath = info.path ?? "";
      this.errorEl.hidden = true;
      this.load(vol);
      this.source = source;
      const saved = (model.metadata?.[this.mimeType] as { view?: unknown } | undefined)?.view;
      if (saved) this.applyState(sanitizeViewState(saved, vol.shape, { panels: this.panels.length, frames: this.frames.length }));
      this.baseline = JSON.stringify(this.state);
    } catch (e) {
      this.unload();
      this.errorEl.hidden = false;
      const why = e instanceof VolumePayloadError ? e.message : `unexpected error: ${(e as Error)?.message ?? e}`;
      // Text only: payload contents never become HTML.
      this.errorEl.textContent = `tomolyte: cannot show this volume: ${why}`;
      this.node.dataset.error = "true";
    }
  }

  /** Restores a (sanitized) saved state: slices, windows, colour maps, layout, zoom, labels, frame. */
  applyState(st: Partial<ViewState>): void {
    if (!this.vol) return;
    if (st.layout) this.setLayout(st.layout);
    if (st.active) this.active = st.active;
    if (st.frame !== undefined) this.setFrame(st.frame);
    if (st.fps !== undefined) this.setFps(st.fps);
    if (st.z !== undefined) this.setPos(0, st.z);
    if (st.y !== undefined) this.setPos(1, st.y);
    if (st.x !== undefined) this.setPos(2, st.x);
    if (st.window) this.panels[0].setWindow(st.window[0], st.window[1]);
    if (st.colormap) this.panels[0].setColormap(st.colormap);
    st.panels?.forEach((ps, k) => {
      const p = this.panels[k + 1];
      if (!p || !ps) return;
      p.setWindow(ps.window[0], ps.window[1]);
      p.setColormap(ps.colormap);
    });
    this.selectPanel(st.selected ?? this.selected);
    this.drawHistogram(); // the restored window's limits
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
    if (st.zoom) for (const p of PLANES) this.setPlaneZoom(p, st.zoom[p]);
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

  private unload(): void {
    this.setPlaying(false);
    this.vol = null;
    this.source = null;
    this.panels = [];
    this.frames = [];
    this.stage.replaceChildren();
    this.xmajor.clear();
    this.frameRow.hidden = true;
  }

  /**
   * Shows a decoded volume (also the entry point for viewers built on this widget, e.g. a
   * file opened from the browser). A volume with `panels` is shown as a linked comparison,
   * one with `frames` as a time series.
   */
  load(vol: DecodedVolume): void {
    this.unload();
    this.vol = vol;
    const [nz, ny, nx] = vol.shape;
    this.titleEl.textContent = vol.title ?? "";
    this.titleEl.hidden = !vol.title;
    const ds = vol.downsample;
    const dsText =
      ds && ds.factor.some((f) => f !== 1)
        ? ` · downsampled ×${ds.factor.join("×")} from ${ds.originalShape.join(" × ")}`
        : "";
    const vols = [vol, ...(vol.panels ?? [])];
    this.frames = [vol, ...(vol.frames ?? [])];
    const kind = vols.length > 1 ? ` · ${vols.length} volumes` : this.frames.length > 1 ? ` · ${this.frames.length} frames` : "";
    this.infoEl.textContent =
      `${nz} × ${ny} × ${nx} (z × y × x) ${vol.dtype} · voxel ${vol.spacing.map(formatNumber).join(" × ")} µm` + kind + dsText;

    this.pos = [Math.floor(nz / 2), Math.floor(ny / 2), Math.floor(nx / 2)];
    this.panels = vols.map((v, i) => {
      const panel = new Panel(i, v);
      // Text only: names are never HTML.
      panel.nameEl.textContent = v.name ?? "";
      // A series names its frames in the frame row instead (the name changes with the frame).
      panel.nameEl.hidden = this.frames.length > 1 || (vols.length === 1 && !v.name);
      for (const p of PLANES) {
        const pv = panel.planes[p];
        const a = sliceAxis(p);
        pv.slider.max = String(vol.shape[a] - 1);
        pv.slider.value = String(this.pos[a]);
        this.wirePlane(panel, pv);
      }
      panel.setColormap("grey");
      panel.setWindow(v.window[0], v.window[1]);
      this.stage.appendChild(panel.root);
      return panel;
    });
    this.stage.classList.toggle("tomolyte-multi", vols.length > 1);
    this.node.dataset.panels = String(vols.length);

    // Series: frame slider and player.
    this.player = { frame: 0, count: this.frames.length, playing: false, fps: vol.fps ?? 4, shownAt: 0 };
    this.frameRow.hidden = this.frames.length < 2;
    this.frameSlider.max = String(this.frames.length - 1);
    this.fpsSelect.value = String(this.player.fps);
    if (this.fpsSelect.value !== String(this.player.fps)) {
      this.fpsSelect.appendChild(Object.assign(el("option", ""), { value: String(this.player.fps), textContent: `${this.player.fps} fps` }));
      this.fpsSelect.value = String(this.player.fps);
    }
    this.updateFrameControls();

    this.layoutPlanes();

    // Phase table: the union over all volumes (first name and colour of a value win).
    const phases = new Map<number, { value: number; name: string; color: string }>();
    for (const v of [...vols, ...this.frames]) for (const p of v.labels?.phases ?? []) if (!phases.has(p.value)) phases.set(p.value, p);
    this.colors = phaseColors([...phases.values()]);
    this.hidden = new Set();
    this.overlayRow.hidden = phases.size === 0 && !vols.some((v) => v.labels);
    this.opacitySlider.value = String(this.opacity);
    this.legend.replaceChildren();
    for (const p of phases.values()) {
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
    this.node.dataset.nz = String(nz);
    this.node.dataset.ny = String(ny);
    this.node.dataset.nx = String(nx);
    delete this.node.dataset.error;
    this.selected = -1;
    this.selectPanel(0);
    this.invalidate();
    this.scheduleXMajor();
  }

  /** CSS sizes of the planes for the layout: one µm-per-pixel scale shared by all planes and panels. */
  private layoutPlanes(): void {
    const vol = this.vol;
    if (!vol) return;
    const ext = vol.shape.map((n, i) => n * (vol.spacing[i] > 0 ? vol.spacing[i] : 1));
    const shown = this.viewLayout === "all" ? PLANES : [this.viewLayout];
    let longest = 0;
    for (const p of shown) for (const a of planeAxes(p)) longest = Math.max(longest, ext[a]);
    const multi = this.panels.length > 1;
    // Side by side: the panels share the output's width (a usual notebook's when not attached yet).
    const avail = this.node.clientWidth || 840;
    const sideBySide = Math.max(160, Math.min(TARGET_PX_SINGLE_PANELS, Math.floor((avail - 14 * this.panels.length) / this.panels.length)));
    const target = this.viewLayout === "all" ? (multi ? TARGET_PX_ALL_PANELS : TARGET_PX_ALL) : multi ? sideBySide : TARGET_PX_SINGLE;
    const pxPerUm = target / longest;
    for (const p of PLANES) {
      const [h, v] = planeAxes(p);
      const sp = (i: number) => (vol.spacing[i] > 0 ? vol.spacing[i] : 1);
      for (const pv of this.planeViews(p)) {
        pv.resize(vol.shape[h], vol.shape[v], sp(h), sp(v), pxPerUm);
        pv.root.hidden = !shown.includes(p);
      }
      this.layoutButtons[p].classList.toggle("tomolyte-on", this.viewLayout === p);
    }
    this.layoutButtons.all.classList.toggle("tomolyte-on", this.viewLayout === "all");
    // One enlarged plane: the panels sit side by side; three planes: one row per panel.
    this.stage.classList.toggle("tomolyte-side-by-side", this.viewLayout !== "all");
    this.updateCrosshairs();
  }

  /** Current state, for tests and for saving in the output's metadata. */
  get state(): ViewState {
    const r = (v: number) => Math.round(v * 100) / 100;
    const zoom = {} as Record<Plane, ZoomState>;
    for (const p of PLANES) {
      const z = this.panels[0]?.planes[p].zoom ?? { scale: 1, tx: 0, ty: 0 };
      zoom[p] = { scale: r(z.scale), tx: r(z.tx), ty: r(z.ty) };
    }
    const p0 = this.panels[0];
    const st: ViewState = {
      z: this.pos[0], y: this.pos[1], x: this.pos[2], window: [p0?.lo ?? 0, p0?.hi ?? 1], colormap: p0?.colormap ?? "grey",
      layout: this.viewLayout, active: this.active, zoom, opacity: this.opacity, overlay: this.overlayOn,
      outline: this.outline, hidden: [...this.hidden].sort((a, b) => a - b),
    };
    if (this.panels.length > 1) {
      st.panels = this.panels.slice(1).map((p): PanelViewState => ({ window: [p.lo, p.hi], colormap: p.colormap }));
      st.selected = this.selected;
    }
    if (this.frames.length > 1) {
      st.frame = this.player.frame;
      st.fps = this.player.fps;
    }
    return st;
  }

  /** Slice of the XY plane (kept for callers of the one-plane viewer). */
  setZ(z: number): void {
    this.setSlice("xy", z);
  }

  /** Sets the slice index of a plane (clamped), redrawing it in every panel and moving the crosshairs. */
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
    for (const panel of this.panels) {
      panel.planes[plane].slider.value = String(i);
      this.updateSliceLabel(panel.planes[plane]);
      panel.dirty.add(plane);
    }
    this.updateCrosshairs();
    this.schedule();
  }

  /** "index / last · position µm" beside a plane's slider: set with the index, before the redraw. */
  private updateSliceLabel(pv: PlaneView): void {
    const vol = this.vol;
    if (!vol) return;
    const axis = sliceAxis(pv.plane);
    const index = this.pos[axis];
    pv.label.textContent = `${index} / ${vol.shape[axis] - 1} · ${formatNumber(index * vol.spacing[axis])} µm`;
  }

  /** The panel the window, colour map and histogram controls act on. */
  selectPanel(index: number): void {
    const i = Math.min(this.panels.length - 1, Math.max(0, Math.round(index)));
    const p = this.panels[i];
    if (!p) return;
    const changed = i !== this.selected;
    this.selected = i;
    for (const q of this.panels) q.root.classList.toggle("tomolyte-selected", q === p && this.panels.length > 1);
    this.windowKey.textContent = this.panels.length > 1 ? `window ${p.vol.name ?? `#${i}`}` : "window";
    this.loInput.value = String(p.lo);
    this.hiInput.value = String(p.hi);
    this.cmapSelect.value = p.colormap;
    if (changed) this.drawHistogram();
    this.node.dataset.selected = String(i);
  }

  /** Window of the selected panel. */
  setWindow(lo: number, hi: number): void {
    const p = this.panels[this.selected];
    if (!p) return;
    p.setWindow(lo, hi);
    this.loInput.value = String(lo);
    this.hiInput.value = String(hi);
    this.drawHistogram();
    this.schedule();
  }

  /** Window of the selected panel from the 0.5 and 99.5 percentiles of its volume (sampled above 1 Mi voxels). */
  autoContrast(): void {
    const p = this.panels[this.selected];
    if (!p) return;
    const [lo, hi] = percentileWindow(p.vol.data, 0.5, 99.5);
    this.setWindow(lo, hi);
  }

  /** Colour map of the selected panel. */
  setColormap(name: ColormapName): void {
    const p = this.panels[this.selected];
    if (!COLORMAPS.includes(name) || !p) return;
    p.setColormap(name);
    this.cmapSelect.value = name;
    this.schedule();
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
    for (const pv of this.panels.flatMap((p) => PLANES.map((q) => p.planes[q]))) pv.zoom = { scale: 1, tx: 0, ty: 0 };
    this.layoutPlanes();
    this.mirrorState();
  }

  resetZoom(): void {
    for (const p of PLANES) this.setPlaneZoom(p, { scale: 1, tx: 0, ty: 0 });
    this.mirrorState();
  }

  /** Zoom of one plane (in every panel) about a point of its viewport (CSS px); for code and tests. */
  zoomPlane(plane: Plane, factor: number, cx: number, cy: number): void {
    const pv = this.panels[0]?.planes[plane];
    if (pv) this.setPlaneZoom(plane, zoomAt(pv.zoom, factor, cx, cy));
  }

  /** Shows frame `index` of a series (clamped); slices, windows and zoom stay. */
  setFrame(index: number): void {
    if (!this.vol || this.frames.length < 2) return;
    const f = Math.min(this.frames.length - 1, Math.max(0, Math.round(index)));
    this.player = { ...this.player, frame: f, shownAt: performance.now() };
    this.showFrame();
  }

  /** Steps frames by delta (wrapping), pausing playback: the `[` and `]` keys. */
  stepFrames(delta: number): void {
    if (this.frames.length < 2) return;
    this.setPlaying(false);
    this.setFrame(stepFrame(this.player.frame, this.frames.length, delta));
  }

  /** Starts or stops playback of a series (the space key). */
  setPlaying(on: boolean): void {
    if (this.playTimer) {
      clearTimeout(this.playTimer);
      this.playTimer = null;
    }
    const playing = on && this.frames.length > 1 && !!this.vol;
    this.player = { ...this.player, playing, shownAt: performance.now() };
    this.updateFrameControls();
    if (playing) this.armPlayer();
    else this.scheduleXMajor();
    this.mirrorState();
  }

  /** Playback rate in frames per second, (0, 60]. */
  setFps(fps: number): void {
    if (!(fps > 0 && fps <= 60)) return;
    this.player = { ...this.player, fps };
    this.fpsSelect.value = String(fps);
    this.updateFrameControls();
    if (this.player.playing) this.setPlaying(true);
    this.mirrorState();
  }

  private armPlayer(): void {
    this.playTimer = setTimeout(() => {
      this.playTimer = null;
      if (!this.player.playing || this.isDisposed) return;
      const next = tick(this.player, performance.now());
      if (next.frame !== this.player.frame) {
        this.player = next;
        this.showFrame();
      } else this.player = next;
      this.armPlayer();
    }, Math.max(1, msUntilNext(this.player, performance.now())));
  }

  private showFrame(): void {
    const panel = this.panels[0];
    const vol = this.frames[this.player.frame];
    if (!panel || !vol) return;
    const dtypeChanged = panel.vol.dtype !== vol.dtype;
    panel.vol = vol;
    if (dtypeChanged) panel.setWindow(panel.lo, panel.hi);
    for (const p of PLANES) panel.dirty.add(p);
    if (this.selected === 0) this.drawHistogram();
    this.updateFrameControls();
    this.schedule();
    this.scheduleXMajor();
  }

  private updateFrameControls(): void {
    const f = this.player.frame;
    const vol = this.frames[f];
    this.frameSlider.value = String(f);
    const t = vol?.time_s !== undefined ? ` · t = ${formatTime(vol.time_s)}` : "";
    this.frameLabel.textContent = `frame ${f} / ${Math.max(0, this.frames.length - 1)}${t}${vol?.name ? ` · ${vol.name}` : ""}`;
    this.playButton.textContent = this.player.playing ? "❚❚ pause" : "▶ play";
    this.playButton.classList.toggle("tomolyte-on", this.player.playing);
    const d = this.node.dataset;
    d.frame = String(f);
    d.frames = String(this.frames.length);
    d.playing = String(this.player.playing);
    d.fps = String(this.player.fps);
  }

  /** PNG (data URL) of a plane of a panel as drawn, one pixel per voxel. */
  exportPng(plane: Plane = this.active, panel = this.selected): string {
    const p = this.panels[panel] ?? this.panels[0];
    return p.planes[plane].canvas.toDataURL("image/png");
  }

  private downloadPng(): void {
    if (!this.vol) return;
    const plane = this.viewLayout === "all" ? this.active : this.viewLayout;
    const url = this.exportPng(plane);
    const a = document.createElement("a");
    const panel = this.panels[this.selected];
    const parts = [this.vol.title ?? "volume"];
    if (this.panels.length > 1) parts.push(panel.vol.name ?? `panel${this.selected}`);
    if (this.frames.length > 1) parts.push(`frame${this.player.frame}`);
    const name = parts.join("-").replace(/[^\w.-]+/g, "_").slice(0, 80) || "volume";
    a.download = `${name}-${plane}-${AXIS_NAMES[sliceAxis(plane)]}${this.pos[sliceAxis(plane)]}.png`;
    a.href = url;
    this.node.dataset.exportName = a.download;
    this.node.dataset.exportBytes = String(Math.floor((url.length - url.indexOf(",") - 1) * 0.75));
    a.click();
  }

  private invalidate(): void {
    for (const panel of this.panels) for (const p of PLANES) panel.dirty.add(p);
    this.schedule();
  }

  private updateCrosshairs(): void {
    for (const p of PLANES) {
      const [h, v] = planeAxes(p);
      for (const pv of this.planeViews(p)) {
        pv.crossV.hidden = pv.crossH.hidden = !this.crosshair || this.viewLayout !== "all";
        if (!pv.width || !pv.height) continue;
        pv.crossV.style.left = `${((this.pos[h] + 0.5) / pv.width) * 100}%`;
        pv.crossH.style.top = `${((this.pos[v] + 0.5) / pv.height) * 100}%`;
      }
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
    if (!this.vol) return;
    const t0 = performance.now();
    for (const panel of this.panels) {
      for (const p of PLANES) if (panel.dirty.has(p)) this.drawPlane(panel, panel.planes[p]);
      panel.dirty.clear();
    }
    this.mirrorState();
    const d = this.node.dataset;
    d.drawMs = (performance.now() - t0).toFixed(3);
    d.rendered = String(++this.renderCount);
  }

  private drawPlane(panel: Panel, pv: PlaneView): void {
    const vol = panel.vol;
    if (!pv.image) return;
    const t0 = performance.now();
    const axis = sliceAxis(pv.plane);
    const index = this.pos[axis];
    const [nz, ny] = vol.shape;
    // YZ from the x-major copy when its block is ready: a contiguous run, like an XY slice.
    const xm = pv.plane === "yz" ? this.xmajorReady(vol.data, index) : null;
    if (xm) greyPlane(xm, [1, nz, ny], "xy", 0, panel.lo, panel.hi, pv.grey, panel.lut);
    else greyPlane(vol.data, vol.shape, pv.plane, index, panel.lo, panel.hi, pv.grey, panel.lut);
    let overlay: Parameters<typeof composeRgba>[2];
    if (vol.labels && this.overlayOn) {
      const n = pv.width * pv.height;
      if (!pv.labelPlane || pv.labelPlane.length !== n || pv.labelPlane.constructor !== vol.labels.data.constructor) {
        pv.labelPlane = labelPlaneArray(vol.labels.data, n);
      }
      const lxm = pv.plane === "yz" ? this.xmajorReady(vol.labels.data, index) : null;
      if (lxm) extractPlane(lxm, [1, nz, ny], "xy", 0, pv.labelPlane);
      else extractPlane(vol.labels.data, vol.shape, pv.plane, index, pv.labelPlane);
      let mask: Uint8Array | undefined;
      if (this.outline) {
        pv.mask ??= new Uint8Array(n);
        mask = outlineMask(pv.labelPlane, pv.width, pv.height, pv.mask);
      }
      overlay = { labels: pv.labelPlane, offset: 0, colors: this.colors, opacity: this.opacity, hidden: this.hidden, mask };
    }
    composeRgba(pv.grey, pv.image.data, overlay, panel.cmapTable);
    pv.ctx.putImageData(pv.image, 0, 0);
    this.updateSliceLabel(pv);
    pv.drawMs = performance.now() - t0;
    pv.root.dataset.drawMs = pv.drawMs.toFixed(3);
    pv.root.dataset.xmajor = String(!!xm);
  }

  /** The YZ plane at x from the x-major copy of `data`, or null while it is not built. */
  private xmajorReady(data: VoxelData, x: number): VoxelData | null {
    const xm = this.xmajorEnabled ? this.xmajor.get(data) : undefined;
    if (!xm || !xm.ready(x)) return null;
    // Least recently used order: re-insert.
    this.xmajor.delete(data);
    this.xmajor.set(data, xm);
    return xm.plane(x);
  }

  /**
   * Builds the x-major copies of the volumes on screen in slices of XMAJOR_SLICE_MS between
   * frames (setTimeout), the block of the shown x first; the strided YZ path serves until then.
   * Not while a series plays: frames shown for a moment are not worth a copy.
   */
  private scheduleXMajor(): void {
    if (this.xmajorTimer || !this.vol || !this.xmajorEnabled || this.player.playing) return;
    const [nz, ny, nx] = this.vol.shape;
    if (nz * ny * nx < XMAJOR_MIN_VOXELS || nx < 128) return;
    const work = () => {
      this.xmajorTimer = null;
      if (this.isDisposed || !this.vol || !this.xmajorEnabled || this.player.playing) return;
      // The arrays on screen now (a series may have changed frame since the last slice).
      const wanted = this.ensureXMajorCopies();
      const t0 = performance.now();
      let busy = false;
      for (const d of wanted) {
        const xm = this.xmajor.get(d);
        if (!xm || xm.complete) continue;
        busy = true;
        while (performance.now() - t0 < XMAJOR_SLICE_MS && xm.buildNext(this.pos[2], 1 << 17)) {
          // keep copying
        }
        if (xm.complete) {
          this.node.dataset.xmajor = String(++this.xmajorDone);
          // Planes at the current x now come from the copy.
          for (const p of this.panels) p.dirty.add("yz");
          this.schedule();
        }
        if (performance.now() - t0 >= XMAJOR_SLICE_MS) break;
      }
      if (busy) this.xmajorTimer = setTimeout(work, 0);
    };
    this.xmajorTimer = setTimeout(work, 0);
  }

  /** Allocates (empty) x-major copies for the arrays on screen, within the byte budget; returns those arrays. */
  private ensureXMajorCopies(): VoxelData[] {
    const wanted: VoxelData[] = [];
    for (const p of this.panels) {
      wanted.push(p.vol.data);
      if (p.vol.labels && p.vol.labels.data !== p.vol.data) wanted.push(p.vol.labels.data);
    }
    let bytes = 0;
    for (const xm of this.xmajor.values()) bytes += xm.data.byteLength;
    for (const d of wanted) {
      if (this.xmajor.has(d)) continue;
      // Drop the least recently used copies of other arrays (e.g. earlier frames) to stay in budget.
      for (const [k, xm] of this.xmajor) {
        if (bytes + d.byteLength <= XMAJOR_BUDGET_BYTES) break;
        if (wanted.includes(k)) continue;
        this.xmajor.delete(k);
        bytes -= xm.data.byteLength;
      }
      if (bytes + d.byteLength > XMAJOR_BUDGET_BYTES) continue;
      try {
        this.xmajor.set(d, new XMajorCopy(d, this.vol!.shape));
        bytes += d.byteLength;
      } catch {
        // Out of memory: the strided path keeps working.
      }
    }
    return wanted;
  }

  /** Mirrors the state into data-* attributes (test hooks, see the file comment). */
  private mirrorState(): void {
    const d = this.node.dataset;
    const p = this.panels[this.selected];
    d.z = String(this.pos[0]);
    d.y = String(this.pos[1]);
    d.x = String(this.pos[2]);
    d.windowLo = String(p?.lo ?? 0);
    d.windowHi = String(p?.hi ?? 1);
    d.opacity = String(this.opacity);
    d.overlay = String(!!(this.panels.some((q) => q.vol.labels) && this.overlayOn));
    d.outline = String(this.outline);
    d.colormap = p?.colormap ?? "grey";
    d.hiddenPhases = [...this.hidden].sort((a, b) => a - b).join(",");
    d.layout = this.viewLayout;
    d.active = this.active;
    const z0 = this.panels[0]?.planes;
    for (const q of PLANES) d[`zoom${q.toUpperCase()}`] = (z0?.[q].zoom.scale ?? 1).toFixed(4);
    this.scheduleSave();
  }

  private histogram(): { counts: Uint32Array; min: number; max: number } | null {
    const vol = this.panels[this.selected]?.vol;
    if (!vol) return null;
    let h = this.hists.get(vol);
    if (!h) {
      h = histogramBins(vol.data, HIST_W / 2);
      this.hists.set(vol, h);
    }
    return h;
  }

  private drawHistogram(): void {
    const h = this.histogram();
    const p = this.panels[this.selected];
    const ctx = this.histCanvas.getContext("2d");
    if (!h || !ctx || !p) return;
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
    for (const v of [p.lo, p.hi]) ctx.fillRect(Math.round(this.valueToHistX(h, v)) - 1, 0, 2, H);
  }

  private valueToHistX(h: { min: number; max: number }, v: number): number {
    const span = h.max > h.min ? h.max - h.min : 1;
    return Math.min(HIST_W - 1, Math.max(0, ((v - h.min) / span) * HIST_W));
  }

  private wireHistogram(): void {
    let which: "lo" | "hi" | null = null;
    const valueAt = (e: PointerEvent, h: { min: number; max: number }, p: Panel) => {
      const r = this.histCanvas.getBoundingClientRect();
      let v = h.min + ((e.clientX - r.left) / r.width) * (h.max - h.min);
      if (!p.vol.dtype.startsWith("float")) v = Math.round(v);
      return v;
    };
    this.histCanvas.addEventListener("pointerdown", (e) => {
      const h = this.histogram();
      const p = this.panels[this.selected];
      if (!h || !p) return;
      const v = valueAt(e, h, p);
      which = Math.abs(v - p.lo) <= Math.abs(v - p.hi) ? "lo" : "hi";
      this.histCanvas.setPointerCapture?.(e.pointerId);
      e.preventDefault();
    });
    this.histCanvas.addEventListener("pointermove", (e) => {
      const h = this.histogram();
      const p = this.panels[this.selected];
      if (!which || !h || !p) return;
      const v = valueAt(e, h, p);
      if (which === "lo") this.setWindow(Math.min(v, p.hi), p.hi);
      else this.setWindow(p.lo, Math.max(v, p.lo));
      this.mirrorState();
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
    if (t instanceof HTMLButtonElement && (e.key === " " || e.key === "Enter")) {
      // A focused button's own activation (its click) runs; the notebook does not see the key.
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
    else if (k === "o" && this.panels.some((p) => p.vol.labels)) this.setOutline(!this.outline);
    else if (k === "c") {
      this.crosshair = !this.crosshair;
      this.updateCrosshairs();
    } else if (k === " " && this.frames.length > 1) this.setPlaying(!this.player.playing);
    else if ((k === "[" || k === "]" || k === "{" || k === "}") && this.frames.length > 1) {
      // Shift-[ and Shift-] arrive as { and } on most layouts: ten frames.
      this.stepFrames((k === "]" || k === "}" ? 1 : -1) * (k === "{" || k === "}" ? 10 : step));
    }
    else if ((k === "p" || k === "P") && this.panels.length > 1) {
      // p / Shift-p: the next / previous panel takes the window controls.
      this.selectPanel((this.selected + (k === "p" ? 1 : this.panels.length - 1)) % this.panels.length);
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
    let text = `x ${x} y ${y} z ${z} (${formatNumber(x * dx)}, ${formatNumber(y * dy)}, ${formatNumber(z * dz)} µm)`;
    // The value of every panel at that voxel (one panel: "value v"; a comparison: "name v").
    for (const p of this.panels) {
      const v = p.vol;
      const name = this.panels.length > 1 ? (v.name ?? `#${p.index}`) : "value";
      // A label volume alone (data = labels) reads as its phase only.
      if (!(v.labels && v.labels.data === v.data)) text += ` · ${name} ${formatNumber(v.data[i])}`;
      else if (this.panels.length > 1) text += ` · ${name}`;
      if (v.labels) {
        const l = v.labels.data[i];
        const ph = v.labels.phases.find((q) => q.value === l);
        text += `${v.labels.data === v.data && this.panels.length > 1 ? "" : " ·"} label ${l}${ph ? ` ${ph.name}` : ""}`;
      }
    }
    this.readout.textContent = text;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.playTimer) clearTimeout(this.playTimer);
    if (this.xmajorTimer) clearTimeout(this.xmajorTimer);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.playTimer = this.xmajorTimer = this.saveTimer = null;
    this.xmajor.clear();
    super.dispose();
  }
}

/** The encoded strings of a payload (data, labels, panels, frames): equal lists = the same payload. */
function payloadStrings(raw: unknown): unknown[] {
  if (!raw || typeof raw !== "object") return [raw];
  const b = raw as { data?: unknown; labels?: { data?: unknown }; panels?: unknown; frames?: unknown };
  const out: unknown[] = [b.data, b.labels?.data];
  for (const list of [b.panels, b.frames]) {
    if (!Array.isArray(list)) continue;
    for (const q of list as { data?: unknown; labels?: { data?: unknown } }[]) out.push(q?.data, q?.labels?.data);
  }
  return out;
}
