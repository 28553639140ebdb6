/**
 * The prebuilt (federated) labextension in jupyterlab-ext/labextension/, loaded the way a
 * JupyterLab 4 page loads it: its remoteEntry script defines a module-federation container,
 * the host initialises it with its share scope (here: @lumino/widgets from the "host"), and
 * `./mimeExtension` is fetched as chunks. Run in a Node vm context with a minimal script
 * loader, so it checks the artefact users copy (metadata, chunks, shared modules, the
 * bundled fflate decoding a real kernel payload), without a browser.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { createVolume, volumeBundle } from "../../../kernel-lib/src";

const LABEXT = path.resolve(__dirname, "../../../jupyterlab-ext/labextension");

interface Container {
  init(scope: object): Promise<void> | void;
  get(module: string): Promise<() => any>;
}

function loadContainer(): { container: Container; requested: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(LABEXT, "package.json"), "utf8"));
  const entry = path.join(LABEXT, pkg.jupyterlab._build.load);
  const base = "http://host/lab/extensions/tomolyte-jupyterlab/";
  const requested: string[] = [];
  const ctx: any = { console, setTimeout, clearTimeout, Promise };
  ctx.self = ctx;
  ctx.window = ctx;
  // Chunk loader: webpack appends <script src=…> to document.head; run the file instead.
  const document = {
    currentScript: { tagName: "SCRIPT", src: base + pkg.jupyterlab._build.load },
    getElementsByTagName: () => [],
    createElement: () => ({ setAttribute() {}, getAttribute: () => null }),
    head: {
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
  ctx.document = document;
  vm.createContext(ctx);
  vm.runInContext(fs.readFileSync(entry, "utf8"), ctx, { filename: entry });
  vm.runInContext("self.__container = _JUPYTERLAB['tomolyte-jupyterlab'];", ctx);
  return { container: ctx.__container as Container, requested };
}

describe("prebuilt labextension", () => {
  it("declares its federated entry points in package.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(LABEXT, "package.json"), "utf8"));
    expect(pkg.name).toBe("tomolyte-jupyterlab");
    expect(pkg.jupyterlab._build).toMatchObject({ mimeExtension: "./mimeExtension", style: "./style" });
    expect(fs.existsSync(path.join(LABEXT, pkg.jupyterlab._build.load))).toBe(true);
  });

  it("loads its mime extension with the host's @lumino/widgets and decodes a kernel payload", async () => {
    const { container, requested } = loadContainer();
    class HostWidget {}
    let hostWidgetsUsed = 0;
    // The host's share scope: what JupyterLab registers for its own copy of @lumino/widgets.
    const scope = {
      "@lumino/widgets": {
        "2.10.0": {
          from: "host",
          eager: false,
          loaded: 1,
          get: () => Promise.resolve(() => (hostWidgetsUsed++, { Widget: HostWidget })),
        },
      },
    };
    await container.init(scope);
    const mod = (await container.get("./mimeExtension"))();
    // Two mime extensions: the volume viewer and the plotly figure renderer.
    const [ext, plotly] = mod.default;
    expect(ext.id).toBe("tomolyte-jupyterlab:volume");
    expect(ext.rendererFactory.mimeTypes).toEqual(["application/vnd.tomolyte.volume+json"]);
    expect(ext.rendererFactory.safe).toBe(true);
    expect(plotly.id).toBe("tomolyte-jupyterlab:plotly");
    expect(plotly.rendererFactory.mimeTypes).toEqual(["application/vnd.plotly.v1+json"]);
    expect(mod.parsePlotlyFigure({ data: [{ y: [1] }] }).data.length).toBe(1);
    // The widget class derives from the host's Widget: Lumino is shared, not bundled.
    expect(Object.getPrototypeOf(mod.VolumeView)).toBe(HostWidget);
    expect(hostWidgetsUsed).toBeGreaterThan(0);
    expect(requested.every((f) => f.startsWith("static/"))).toBe(true);

    const data = Uint16Array.from({ length: 4 * 5 * 6 }, (_, i) => (i * 977) % 65536);
    const decoded = mod.decodeVolumeBundle(volumeBundle(createVolume(data, [4, 5, 6], [1, 1, 1])));
    expect(decoded.shape).toEqual([4, 5, 6]);
    expect(Array.from(decoded.data)).toEqual(Array.from(data));
  });
});
