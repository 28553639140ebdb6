/**
 * Volume files as JupyterLab documents: double-clicking a .tif/.tiff, .npy, .mha or .mhd in the
 * file browser (or "Open With > tomolyte viewer") opens the slice viewer in the main area, with
 * the file read and decoded in the browser (reader.ts).
 *
 * A JupyterFrontEndPlugin rather than a MIME renderer document: the plugin knows the file's
 * path, so it can (1) check the file's size before fetching it (the model factory below asks
 * the server for metadata only), (2) fetch the bytes as binary (no base64 string, which V8
 * caps at about 512 MiB), and (3) read the data file an .mhd names beside it.
 *
 * Test hooks: the document's content has class `tomolyte-volume-document` and data-testid
 * `tomolyte-document`, with `data-state` = loading | ready | error; errors are shown as text in
 * the element with data-testid `tomolyte-document-error`, notes in `tomolyte-document-notes`.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { PathExt } from "@jupyterlab/coreutils";
import { ABCWidgetFactory, DocumentRegistry, DocumentWidget, TextModelFactory } from "@jupyterlab/docregistry";
import { IImageTracker } from "@jupyterlab/imageviewer";
import { Contents, ServerConnection } from "@jupyterlab/services";
import { Panel, Widget } from "@lumino/widgets";
import { base64ToBytes } from "./decode";
import { MAX_FILE_BYTES, readVolumeFile, VolumeFileError } from "./reader";
import { VolumeView } from "./widget";

// The readers, also for other extensions built on this one (and for the prebuilt bundle's test).
export { readVolumeFile, VolumeFileError, VOLUME_FILE_EXTENSIONS, MAX_FILE_BYTES } from "./reader";
export type { VolumeFile } from "./reader";

/** The widget factory's name, shown in "Open With". */
export const VOLUME_FACTORY = "tomolyte viewer";
/** The model factory: a model that never holds the file's content (see VolumeModelFactory). */
export const VOLUME_MODEL = "tomolyte-volume-file";

/** File types the viewer opens; "tiff" is JupyterLab's own (its image viewer cannot show TIFF in Chromium or Firefox). */
const FILE_TYPES: Partial<DocumentRegistry.IFileType>[] = [
  { name: "tomolyte-npy", displayName: "NumPy array", extensions: [".npy"], mimeTypes: ["application/octet-stream"], fileFormat: "base64", contentType: "file" },
  { name: "tomolyte-metaimage", displayName: "MetaImage volume", extensions: [".mha", ".mhd"], mimeTypes: ["application/octet-stream"], fileFormat: "base64", contentType: "file" },
];

/**
 * A text model factory whose fileFormat is null: the document context then asks the contents
 * API for the file's metadata only (size, dates), never its content, so a huge file is refused
 * before a byte of it is transferred. The viewer fetches the bytes itself.
 */
class VolumeModelFactory extends TextModelFactory {
  override get name(): string {
    return VOLUME_MODEL;
  }
  override get contentType(): Contents.ContentType {
    return "file";
  }
  override get fileFormat(): Contents.FileFormat {
    return null;
  }
}

/** How the document reads files: the bytes of a path (relative to the server root). */
export type FetchBytes = (path: string) => Promise<Uint8Array>;

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/**
 * The content of a volume document: a status line (loading, or the error as text), the
 * slice viewer, and notes on what was assumed while reading (e.g. a default spacing).
 * @example
 * const doc = new VolumeDocument();
 * await doc.open("data/scan.mhd", 1234, fetchBytes);
 */
export class VolumeDocument extends Panel {
  readonly view = new VolumeView();
  private readonly status: HTMLElement;
  private readonly notes: HTMLElement;

  constructor() {
    super();
    this.addClass("tomolyte-volume-document");
    this.node.dataset.testid = "tomolyte-document";
    this.node.dataset.state = "loading";
    // The viewer was made for output areas: in the main area it scrolls inside the tab.
    this.node.style.overflow = "auto";
    this.node.style.padding = "8px";
    const status = new Widget();
    this.status = status.node;
    this.status.className = "tomolyte-document-status";
    this.status.dataset.testid = "tomolyte-document-error";
    const notes = new Widget();
    this.notes = notes.node;
    this.notes.className = "tomolyte-document-notes";
    this.notes.dataset.testid = "tomolyte-document-notes";
    this.notes.style.opacity = "0.7";
    this.notes.style.fontSize = "12px";
    this.notes.hidden = true;
    this.view.hide();
    this.addWidget(status);
    this.addWidget(this.view);
    this.addWidget(notes);
  }

  /**
   * Fetches and shows a volume file. `size` (bytes, from the contents model; undefined when
   * unknown) is checked before fetching. Errors are shown in the document, never thrown.
   * @example await doc.open("scan.tif", model.size, (p) => fetchFile(p));
   */
  async open(path: string, size: number | undefined, fetchBytes: FetchBytes): Promise<void> {
    const name = PathExt.basename(path);
    try {
      if (size !== undefined && size > MAX_FILE_BYTES) {
        throw new VolumeFileError(`${name} is ${megabytes(size)}, more than the viewer reads (${megabytes(MAX_FILE_BYTES)}); open it in a notebook with tomolyte's read() and show() a crop or a downsampled copy`);
      }
      this.status.textContent = `reading ${name}${size !== undefined ? ` (${megabytes(size)})` : ""}…`;
      const t0 = performance.now();
      const bytes = await fetchBytes(path);
      const dir = PathExt.dirname(path);
      const vol = await readVolumeFile(name, bytes, (sibling) => fetchBytes(PathExt.join(dir, sibling)));
      this.view.show();
      this.view.load(vol);
      this.view.node.dataset.decodeMs = (performance.now() - t0).toFixed(2);
      this.status.textContent = "";
      this.status.hidden = true;
      const notes = [`${vol.format} file`, vol.spacingSource === "file" ? "voxel size from the file" : "", ...vol.notes].filter(Boolean);
      this.notes.textContent = notes.join(" · ");
      this.notes.hidden = false;
      this.node.dataset.state = "ready";
    } catch (e) {
      const why = e instanceof VolumeFileError ? e.message : `unexpected error: ${(e as Error)?.message ?? e}`;
      this.view.hide();
      // Text only: file names and header contents never become HTML.
      this.status.textContent = `tomolyte: cannot open ${name}: ${why}`;
      this.status.setAttribute("role", "alert");
      this.status.classList.add("tomolyte-error");
      this.status.hidden = false;
      this.node.dataset.state = "error";
    }
  }
}

/**
 * Reads a file's bytes: binary through the server's file download URL, or, for contents
 * drives without one, base64 through the contents API.
 * @example const bytes = await fetchContents(app.serviceManager.contents, app.serviceManager.serverSettings)("a.npy");
 */
export function fetchContents(contents: Contents.IManager, settings: ServerConnection.ISettings): FetchBytes {
  return async (path: string) => {
    let url: string | undefined;
    try {
      url = await contents.getDownloadUrl(path);
    } catch {
      url = undefined;
    }
    if (url && /^(https?:)?\//.test(url)) {
      const abort = new AbortController();
      const resp = await ServerConnection.makeRequest(url, { signal: abort.signal }, settings);
      if (resp.status === 404) throw new VolumeFileError(`${path} was not found on the server`);
      if (!resp.ok) throw new VolumeFileError(`the server answered ${resp.status} ${resp.statusText} for ${path}`);
      // Second guard (the first is the size from the metadata): stop the transfer of a huge body.
      const length = Number(resp.headers.get("Content-Length") ?? NaN);
      if (length > MAX_FILE_BYTES) {
        abort.abort();
        throw new VolumeFileError(`${path} is ${megabytes(length)}, more than the viewer reads`);
      }
      return new Uint8Array(await resp.arrayBuffer());
    }
    const model = await contents.get(path, { type: "file", format: "base64", content: true });
    if (typeof model.content !== "string") throw new VolumeFileError(`${path} did not come back as a file`);
    return base64ToBytes(model.content);
  };
}

/** The widget factory of volume documents. */
class VolumeWidgetFactory extends ABCWidgetFactory<DocumentWidget<VolumeDocument>> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<DocumentWidget<VolumeDocument>>,
    private readonly contents: Contents.IManager,
    private readonly fetchBytes: FetchBytes,
  ) {
    super(options);
  }

  protected createNewWidget(context: DocumentRegistry.Context): DocumentWidget<VolumeDocument> {
    const content = new VolumeDocument();
    const widget = new DocumentWidget({ content, context });
    void context.ready.then(async () => {
      // The context keeps no size in its contents model: ask for the metadata (no content) again.
      let size: number | undefined;
      try {
        size = (await this.contents.get(context.path, { content: false })).size ?? undefined;
      } catch {
        size = undefined;
      }
      await content.open(context.path, size, this.fetchBytes);
    });
    return widget;
  }
}

/**
 * The plugin: registers the file types (.npy, .mha/.mhd; .tif/.tiff are JupyterLab's "tiff"),
 * the metadata-only model factory and the "tomolyte viewer" widget factory, default for all of them.
 * @example lab.registerPlugin(volumeDocumentPlugin);
 */
export const volumeDocumentPlugin: JupyterFrontEndPlugin<void> = {
  id: "tomolyte-jupyterlab:volume-documents",
  description: "Opens .tif, .npy, .mha and .mhd volume files from the file browser in the tomolyte slice viewer",
  autoStart: true,
  // Not used, only ordering: JupyterLab then activates the image viewer first, and the last
  // factory registered as default for "tiff" is the default (a defaultViewers setting still wins).
  optional: [IImageTracker],
  activate: (app: JupyterFrontEnd) => {
    const registry = app.docRegistry;
    for (const ft of FILE_TYPES) if (!registry.getFileType(ft.name!)) registry.addFileType(ft);
    const types = ["tiff", ...FILE_TYPES.map((f) => f.name!)].filter((n) => registry.getFileType(n));
    registry.addModelFactory(new VolumeModelFactory());
    const { contents, serverSettings } = app.serviceManager;
    const factory = new VolumeWidgetFactory(
      { name: VOLUME_FACTORY, label: "tomolyte viewer", modelName: VOLUME_MODEL, fileTypes: types, defaultFor: types, readOnly: true },
      contents,
      fetchContents(contents, serverSettings),
    );
    registry.addWidgetFactory(factory);
  },
};

export default [volumeDocumentPlugin];
