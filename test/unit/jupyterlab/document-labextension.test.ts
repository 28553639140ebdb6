/**
 * The prebuilt labextension's document plugin (`./extension`), loaded as JupyterLab 4 loads it:
 * the remoteEntry container initialised with a host share scope, here stubs standing in for
 * the host's @jupyterlab/docregistry, services, coreutils, imageviewer and @lumino/widgets.
 * Checks that those are taken from the host (not bundled), what the plugin registers, and that
 * the bundled readers decode files in the bundle itself, geotiff's lazily loaded chunks
 * included (a deflate TIFF), without a browser (Node vm with a script-tag chunk loader).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { createVolume, write } from "../../../kernel-lib/src";

const LABEXT = path.resolve(__dirname, "../../../jupyterlab-ext/labextension");
const built = fs.existsSync(path.join(LABEXT, "package.json"));

interface Container {
  init(scope: object): Promise<void> | void;
  get(module: string): Promise<() => any>;
}

function loadContainer(): { container: Container; requested: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(LABEXT, "package.json"), "utf8"));
  const base = "http://host/lab/extensions/tomolyte-jupyterlab/";
  const requested: string[] = [];
  const ctx: any = { console, setTimeout, clearTimeout, Promise, TextDecoder, TextEncoder };
  ctx.self = ctx;
  ctx.window = ctx;
  ctx.document = {
    currentScript: { tagName: "SCRIPT", src: base + pkg.jupyterlab._build.load },
    getElementsByTagName: () => [],
    createElement: () => ({ setAttribute() {}, getAttribute: () => null }),
    head: {
      // webpack loads chunks by appending <script src=…>: run the file instead.
      appendChild(script: any) {
        const rel = script.src.slice(base.length).split("?")[0];
        requested.push(rel);
        setTimeout(() => {
          vm.runInContext(fs.readFileSync(path.join(LABEXT, rel), "utf8"), ctx, { filename: rel });
          script.onload?.({ type: "load" });
        }, 0);
      },
    },
  };
  vm.createContext(ctx);
  const entry = path.join(LABEXT, pkg.jupyterlab._build.load);
  vm.runInContext(fs.readFileSync(entry, "utf8"), ctx, { filename: entry });
  vm.runInContext("self.__container = _JUPYTERLAB['tomolyte-jupyterlab'];", ctx);
  return { container: ctx.__container as Container, requested };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-doc-labext-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!built)("prebuilt labextension: the document plugin", () => {
  it("declares ./extension beside ./mimeExtension", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(LABEXT, "package.json"), "utf8"));
    expect(pkg.jupyterlab._build).toMatchObject({ extension: "./extension", mimeExtension: "./mimeExtension" });
  });

  it("takes JupyterLab's packages from the host, registers the viewer for .tif/.npy/.mha/.mhd, and decodes files with the bundled readers", async () => {
    const { container, requested } = loadContainer();
    const used = new Set<string>();
    // Stand-ins for the host's modules: only what the plugin module touches at load and in activate.
    class Widget {}
    class Panel extends Widget {}
    class TextModelFactory {
      get name() {
        return "text";
      }
    }
    class ABCWidgetFactory {
      constructor(readonly options: any) {}
    }
    class DocumentWidget {}
    const IImageTracker = { name: "@jupyterlab/imageviewer:IImageTracker" };
    const host: Record<string, object> = {
      "@lumino/widgets": { Widget, Panel },
      "@jupyterlab/docregistry": { ABCWidgetFactory, DocumentWidget, TextModelFactory },
      "@jupyterlab/coreutils": { PathExt: {} },
      "@jupyterlab/services": { ServerConnection: {} },
      "@jupyterlab/imageviewer": { IImageTracker },
    };
    const versions: Record<string, string> = {
      "@lumino/widgets": "2.10.0", "@jupyterlab/docregistry": "4.5.11", "@jupyterlab/coreutils": "6.5.11",
      "@jupyterlab/services": "7.5.11", "@jupyterlab/imageviewer": "4.5.11",
    };
    const scope: Record<string, object> = {};
    for (const [name, mod] of Object.entries(host)) {
      scope[name] = { [versions[name]]: { from: "host", eager: false, loaded: 1, get: () => Promise.resolve(() => (used.add(name), mod)) } };
    }
    await container.init(scope);
    const mod = (await container.get("./extension"))();
    const [plugin] = mod.default;
    expect(plugin.id).toBe("tomolyte-jupyterlab:volume-documents");
    expect(plugin.autoStart).toBe(true);
    // The image viewer's token from the host (identity matters to JupyterLab's plugin registry).
    expect(plugin.optional).toEqual([IImageTracker]);
    expect([...used].sort()).toEqual(Object.keys(host).sort());

    const fileTypes: any[] = [];
    const modelFactories: any[] = [];
    const widgetFactories: any[] = [];
    const app = {
      docRegistry: {
        getFileType: (n: string) => (n === "tiff" ? { name: "tiff" } : fileTypes.find((f) => f.name === n)),
        addFileType: (ft: any) => fileTypes.push(ft),
        addModelFactory: (f: any) => modelFactories.push(f),
        addWidgetFactory: (f: any) => widgetFactories.push(f),
      },
      serviceManager: { contents: {}, serverSettings: {} },
    };
    plugin.activate(app);
    expect(fileTypes.map((f) => [f.name, f.extensions])).toEqual([
      ["tomolyte-npy", [".npy"]],
      ["tomolyte-metaimage", [".mha", ".mhd"]],
    ]);
    // The model never holds the file: metadata only (fileFormat null), the viewer fetches the bytes.
    expect(modelFactories.map((f) => [f.name, f.fileFormat, f.contentType])).toEqual([["tomolyte-volume-file", null, "file"]]);
    expect(widgetFactories.length).toBe(1);
    expect(widgetFactories[0].options).toMatchObject({
      name: "tomolyte viewer",
      modelName: "tomolyte-volume-file",
      fileTypes: ["tiff", "tomolyte-npy", "tomolyte-metaimage"],
      defaultFor: ["tiff", "tomolyte-npy", "tomolyte-metaimage"],
      readOnly: true,
    });

    // The bundled readers, geotiff's chunks (deflate decoder) included.
    const data = Uint16Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 4099) % 65536);
    const vol = createVolume(data, [3, 4, 5], [2, 0.5, 0.25]);
    for (const [name, opts] of [["v.tif", { compression: "deflate" }], ["v.npy", {}], ["v.mha", { compression: "deflate" }]] as const) {
      await write(vol, path.join(dir, name), opts);
      const got = await mod.readVolumeFile(name, new Uint8Array(fs.readFileSync(path.join(dir, name))));
      expect(got.shape, name).toEqual([3, 4, 5]);
      expect(Array.from(got.data), name).toEqual(Array.from(data));
      expect(got.spacing, name).toEqual(name === "v.npy" ? [1, 1, 1] : [2, 0.5, 0.25]);
    }
    let err: unknown;
    await mod.readVolumeFile("x.tif", new Uint8Array([0x49, 0x49, 42, 0, 255, 255, 0, 0])).catch((e: unknown) => (err = e));
    expect((err as Error).name).toBe("VolumeFileError");
    expect(requested.every((f) => f.startsWith("static/"))).toBe(true);
  });
});
