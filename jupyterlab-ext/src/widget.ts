/**
 * The volume output widget: an XY slice on a canvas, a z slider, window/level inputs,
 * the label overlay with its legend and opacity, and a hover readout.
 *
 * Test hooks (stable): the root has class `tomolyte-volume-view` and data-testid
 * `tomolyte-volume`, and mirrors its state in `data-z`, `data-window-lo`, `data-window-hi`,
 * `data-opacity`, `data-rendered` (a counter bumped after every redraw), and its timings
 * `data-decode-ms` (payload -> typed arrays) and `data-draw-ms` (last redraw). Controls carry
 * data-testid `tomolyte-canvas`, `tomolyte-z-slider`, `tomolyte-window-lo`,
 * `tomolyte-window-hi`, `tomolyte-window-reset`, `tomolyte-opacity`, `tomolyte-overlay-toggle`.
 *
 * Faithfulness: the canvas holds exactly nx × ny pixels, one per voxel, drawn with
 * putImageData; display scaling is CSS only (image-rendering: pixelated).
 */
import { Widget } from "@lumino/widgets";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { decodeVolumeBundleAsync, DecodedVolume, VOLUME_MIME_TYPE, VolumePayloadError } from "./decode";
import { buildGreyLut, composeRgba, greySlice, phaseColors, RGB } from "./render";

/** Longest side, in CSS pixels, the slice is scaled to by default. */
const TARGET_DISPLAY_PX = 480;

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

export class VolumeView extends Widget implements IRenderMime.IRenderer {
  private vol: DecodedVolume | null = null;
  private z = 0;
  private lo = 0;
  private hi = 1;
  private opacity = 0.4;
  private overlayOn = true;
  private renderCount = 0;
  private lut: ReturnType<typeof buildGreyLut> = null;
  private colors = new Map<number, RGB>();
  private grey = new Uint8Array(0);
  private image: ImageData | null = null;
  private pending = 0;
  private applyWindowInputs: () => void = () => undefined;

  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly titleEl: HTMLElement;
  private readonly infoEl: HTMLElement;
  private readonly zSlider: HTMLInputElement;
  private readonly zLabel: HTMLElement;
  private readonly loInput: HTMLInputElement;
  private readonly hiInput: HTMLInputElement;
  private readonly overlayRow: HTMLElement;
  private readonly overlayToggle: HTMLInputElement;
  private readonly opacitySlider: HTMLInputElement;
  private readonly legend: HTMLElement;
  private readonly readout: HTMLElement;
  private readonly errorEl: HTMLElement;

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

    const stage = el("div", "tomolyte-stage");
    this.canvas = el("canvas", "tomolyte-canvas", { "data-testid": "tomolyte-canvas" });
    this.ctx = this.canvas.getContext("2d", { willReadFrequently: false })!;
    stage.appendChild(this.canvas);

    const controls = el("div", "tomolyte-controls");
    const zRow = el("label", "tomolyte-row tomolyte-z-row");
    zRow.append(Object.assign(el("span", "tomolyte-key"), { textContent: "z" }));
    this.zSlider = el("input", "tomolyte-z-slider", { type: "range", min: "0", max: "0", step: "1", "data-testid": "tomolyte-z-slider", "aria-label": "slice index z" });
    this.zLabel = el("span", "tomolyte-z-label", { "data-testid": "tomolyte-z-label" });
    zRow.append(this.zSlider, this.zLabel);

    const wRow = el("div", "tomolyte-row tomolyte-window-row");
    wRow.append(Object.assign(el("span", "tomolyte-key"), { textContent: "window" }));
    this.loInput = el("input", "tomolyte-window-lo", { type: "number", step: "any", "data-testid": "tomolyte-window-lo", "aria-label": "window low" });
    this.hiInput = el("input", "tomolyte-window-hi", { type: "number", step: "any", "data-testid": "tomolyte-window-hi", "aria-label": "window high" });
    const reset = el("button", "tomolyte-window-reset", { type: "button", "data-testid": "tomolyte-window-reset", title: "back to the window sent by the kernel" });
    reset.textContent = "reset";
    wRow.append(this.loInput, Object.assign(el("span", "tomolyte-dash"), { textContent: "–" }), this.hiInput, reset);

    this.overlayRow = el("div", "tomolyte-row tomolyte-overlay-row");
    const toggleLabel = el("label", "tomolyte-overlay-label");
    this.overlayToggle = el("input", "tomolyte-overlay-toggle", { type: "checkbox", "data-testid": "tomolyte-overlay-toggle" });
    this.overlayToggle.checked = true;
    toggleLabel.append(this.overlayToggle, document.createTextNode(" labels"));
    this.opacitySlider = el("input", "tomolyte-opacity", { type: "range", min: "0", max: "1", step: "0.05", "data-testid": "tomolyte-opacity", "aria-label": "label opacity" });
    this.legend = el("div", "tomolyte-legend", { "data-testid": "tomolyte-legend" });
    this.overlayRow.append(toggleLabel, this.opacitySlider, this.legend);
    this.overlayRow.hidden = true;

    this.readout = el("div", "tomolyte-readout", { "data-testid": "tomolyte-readout" });
    controls.append(zRow, wRow, this.overlayRow, this.readout);
    root.append(this.titleEl, this.errorEl, stage, controls, this.infoEl);

    this.zSlider.addEventListener("input", () => this.setZ(Number(this.zSlider.value)));
    const onWindow = () => {
      const lo = Number(this.loInput.value);
      const hi = Number(this.hiInput.value);
      if (this.loInput.value !== "" && this.hiInput.value !== "" && Number.isFinite(lo) && Number.isFinite(hi)) this.setWindow(lo, hi);
    };
    this.applyWindowInputs = onWindow;
    this.loInput.addEventListener("change", onWindow);
    this.hiInput.addEventListener("change", onWindow);
    reset.addEventListener("click", () => this.vol && this.setWindow(this.vol.window[0], this.vol.window[1]));
    this.overlayToggle.addEventListener("change", () => {
      this.overlayOn = this.overlayToggle.checked;
      this.schedule();
    });
    this.opacitySlider.addEventListener("input", () => {
      this.opacity = Number(this.opacitySlider.value);
      this.schedule();
    });
    installKeyInterceptor();
    VIEWS.set(root, this);
    // A click on the image focuses the viewer (after the notebook has focused the cell on
    // mousedown), so the arrow keys step through slices.
    stage.addEventListener("click", () => this.node.focus({ preventScroll: true }));
    this.canvas.addEventListener("mousemove", (e) => this.onHover(e));
    this.canvas.addEventListener("mouseleave", () => (this.readout.textContent = ""));
  }

  /** IRenderMime.IRenderer: called with each (new) output model. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    try {
      const t0 = performance.now();
      const vol = await decodeVolumeBundleAsync(model.data[this.mimeType]);
      this.node.dataset.decodeMs = (performance.now() - t0).toFixed(2);
      this.errorEl.hidden = true;
      this.load(vol);
    } catch (e) {
      this.vol = null;
      this.errorEl.hidden = false;
      const why = e instanceof VolumePayloadError ? e.message : `unexpected error: ${(e as Error)?.message ?? e}`;
      // Text only: payload contents never become HTML.
      this.errorEl.textContent = `tomolyte: cannot show this volume: ${why}`;
      this.node.dataset.error = "true";
    }
  }

  /** Shows a decoded volume (also the entry point for viewers built on this widget). */
  load(vol: DecodedVolume): void {
    this.vol = vol;
    const [nz, ny, nx] = vol.shape;
    const [, dy, dx] = vol.spacing;
    this.titleEl.textContent = vol.title ?? "";
    this.titleEl.hidden = !vol.title;
    const ds = vol.downsample;
    const dsText =
      ds && ds.factor.some((f) => f !== 1)
        ? ` · downsampled ×${ds.factor.join("×")} from ${ds.originalShape.join(" × ")}`
        : "";
    this.infoEl.textContent =
      `${nz} × ${ny} × ${nx} (z × y × x) ${vol.dtype} · voxel ${vol.spacing.map(formatNumber).join(" × ")} µm` + dsText;

    this.canvas.width = nx;
    this.canvas.height = ny;
    // CSS scaling only; anisotropic in-plane spacing is shown with its true aspect.
    const aspect = dy / dx > 0 && Number.isFinite(dy / dx) ? dy / dx : 1;
    const longest = Math.max(nx, ny * aspect);
    const scale = longest >= TARGET_DISPLAY_PX ? TARGET_DISPLAY_PX / longest : Math.max(1, Math.floor(TARGET_DISPLAY_PX / longest));
    this.canvas.style.width = `${Math.round(nx * scale)}px`;
    this.canvas.style.height = `${Math.round(ny * aspect * scale)}px`;

    this.grey = new Uint8Array(nx * ny);
    this.image = this.ctx.createImageData(nx, ny);
    this.zSlider.max = String(nz - 1);
    this.z = Math.floor(nz / 2);
    this.zSlider.value = String(this.z);

    this.colors = vol.labels ? phaseColors(vol.labels.phases) : new Map();
    this.overlayRow.hidden = !vol.labels;
    this.opacitySlider.value = String(this.opacity);
    this.legend.replaceChildren();
    if (vol.labels) {
      for (const p of vol.labels.phases) {
        const item = el("span", "tomolyte-legend-item", { "data-value": String(p.value) });
        const swatch = el("span", "tomolyte-swatch");
        const c = this.colors.get(p.value)!;
        swatch.style.background = `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
        item.append(swatch, document.createTextNode(`${p.value}: ${p.name}`));
        this.legend.appendChild(item);
      }
    }
    this.node.dataset.nz = String(nz);
    this.node.dataset.ny = String(ny);
    this.node.dataset.nx = String(nx);
    delete this.node.dataset.error;
    this.setWindow(vol.window[0], vol.window[1]);
  }

  /** Current state, for tests and later for saving in the output's metadata. */
  get state(): { z: number; window: [number, number]; opacity: number; overlay: boolean } {
    return { z: this.z, window: [this.lo, this.hi], opacity: this.opacity, overlay: this.overlayOn };
  }

  setZ(z: number): void {
    if (!this.vol) return;
    const nz = this.vol.shape[0];
    const zi = Math.min(nz - 1, Math.max(0, Math.round(z)));
    if (zi === this.z && this.renderCount > 0) return;
    this.z = zi;
    this.zSlider.value = String(zi);
    this.schedule();
  }

  setWindow(lo: number, hi: number): void {
    if (!this.vol) return;
    this.lo = lo;
    this.hi = hi;
    this.loInput.value = String(lo);
    this.hiInput.value = String(hi);
    this.lut = buildGreyLut(this.vol.dtype, lo, hi);
    this.schedule();
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
    if (!vol || !this.image) return;
    const t0 = performance.now();
    const [, ny, nx] = vol.shape;
    greySlice(vol.data, vol.dtype, vol.shape, this.z, this.lo, this.hi, this.grey, this.lut);
    const overlay =
      vol.labels && this.overlayOn
        ? { labels: vol.labels.data, offset: this.z * ny * nx, colors: this.colors, opacity: this.opacity }
        : undefined;
    composeRgba(this.grey, this.image.data, overlay);
    this.ctx.putImageData(this.image, 0, 0);
    const zUm = this.z * vol.spacing[0];
    this.zLabel.textContent = `${this.z} / ${vol.shape[0] - 1} · ${formatNumber(zUm)} µm`;
    const d = this.node.dataset;
    d.z = String(this.z);
    d.windowLo = String(this.lo);
    d.windowHi = String(this.hi);
    d.opacity = String(this.opacity);
    d.overlay = String(!!overlay);
    d.drawMs = (performance.now() - t0).toFixed(3);
    d.rendered = String(++this.renderCount);
  }

  /**
   * Keys pressed while focus is inside this viewer (called from the capture-phase listener,
   * before JupyterLab's shortcuts see them). Returns true when the key was the viewer's.
   */
  handleKey(e: KeyboardEvent): boolean {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || e.key === "Escape") return false;
    if (t instanceof HTMLInputElement) {
      // The controls' own keys (typing, arrows on the sliders): their default actions run,
      // JupyterLab's notebook shortcuts (ArrowUp = previous cell, ...) do not.
      if (e.key === "Enter" && t.type === "number") this.applyWindowInputs();
      if (e.key === "Enter" && e.shiftKey) return false; // Shift-Enter still runs the cell
      e.stopPropagation();
      return true;
    }
    if (!this.vol) return false;
    const step = e.shiftKey ? 10 : 1;
    if (e.key === "ArrowUp" || e.key === "PageUp" || e.key === "ArrowRight") this.setZ(this.z + step);
    else if (e.key === "ArrowDown" || e.key === "PageDown" || e.key === "ArrowLeft") this.setZ(this.z - step);
    else if (e.key === "Home") this.setZ(0);
    else if (e.key === "End") this.setZ(this.vol.shape[0] - 1);
    else return false;
    e.preventDefault();
    e.stopPropagation();
    return true;
  }

  private onHover(e: MouseEvent): void {
    const vol = this.vol;
    if (!vol) return;
    const r = this.canvas.getBoundingClientRect();
    const [, ny, nx] = vol.shape;
    const x = Math.floor(((e.clientX - r.left) / r.width) * nx);
    const y = Math.floor(((e.clientY - r.top) / r.height) * ny);
    if (x < 0 || y < 0 || x >= nx || y >= ny) return;
    const i = (this.z * ny + y) * nx + x;
    const [dz, dy, dx] = vol.spacing;
    let text = `x ${x} y ${y} z ${this.z} (${formatNumber(x * dx)}, ${formatNumber(y * dy)}, ${formatNumber(this.z * dz)} µm) · value ${formatNumber(vol.data[i])}`;
    if (vol.labels) {
      const l = vol.labels.data[i];
      const p = vol.labels.phases.find((q) => q.value === l);
      text += ` · label ${l}${p ? ` ${p.name}` : ""}`;
    }
    this.readout.textContent = text;
  }
}
