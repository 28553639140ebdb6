/**
 * End-to-end harness: the tomolyte JupyterLab app served by Debian's jupyter_server, driven
 * by Debian's Chromium through playwright-core. Tests only: the server listens on loopback
 * with an empty token and xsrf checks off, on a free port, with settings in a temp folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const ROOT = path.resolve(__dirname, "../..");
export const CHROMIUM = process.env.TOMOLYTE_CHROMIUM ?? "/usr/bin/chromium";
export const PYTHON = "/usr/bin/python3";
const LAUNCHER = path.join(ROOT, "jupyterlab-ext/app/main.py");
const BUNDLE = path.join(ROOT, "jupyterlab-ext/app/build/bundle.js");

/** A free TCP port on 127.0.0.1 (the OS picks; closed again before the server binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface LabServer {
  url: string;
  port: number;
  stateDir: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts the app server on rootDir and resolves once /api/status answers. */
export async function startLab(rootDir: string, opts: { timeoutMs?: number } = {}): Promise<LabServer> {
  for (const f of [BUNDLE, CHROMIUM, PYTHON]) {
    if (!fs.existsSync(f)) throw new Error(`missing ${f}: run \`bash scripts/setup.sh\` first`);
  }
  const port = await freePort();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-lab-e2e-"));
  // No autosave: running the notebook must not write outputs into the repository's copy.
  const docSettings = path.join(stateDir, "user-settings/@jupyterlab/docmanager-extension");
  fs.mkdirSync(docSettings, { recursive: true });
  fs.writeFileSync(path.join(docSettings, "plugin.jupyterlab-settings"), JSON.stringify({ autosave: false }));
  const jupyter = path.join(ROOT, ".jupyter");
  const env = {
    ...process.env,
    JUPYTER_PATH: path.join(jupyter, "share/jupyter"),
    JUPYTER_CONFIG_DIR: path.join(jupyter, "config"),
    JUPYTER_DATA_DIR: path.join(jupyter, "share/jupyter"),
    JUPYTER_RUNTIME_DIR: path.join(stateDir, "runtime"),
    TOMOLYTE_LAB_STATE_DIR: stateDir,
    PYTHONDONTWRITEBYTECODE: "1",
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
  };
  const args = [
    LAUNCHER,
    "--ServerApp.ip=127.0.0.1",
    `--ServerApp.port=${port}`,
    "--ServerApp.port_retries=0",
    "--ServerApp.token=",
    "--ServerApp.password=",
    "--ServerApp.disable_check_xsrf=True",
    "--ServerApp.open_browser=False",
    "--ServerApp.answer_yes=True",
    `--ServerApp.root_dir=${rootDir}`,
  ];
  if (process.getuid?.() === 0) args.push("--ServerApp.allow_root=True");
  const proc = spawn(PYTHON, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the lab server exited (${proc.exitCode}):\n${output}`);
    try {
      const r = await fetch(`${url}/api/status`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopProcess(proc, exited);
      throw new Error(`the lab server did not answer within the time limit:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    stateDir,
    log: () => output,
    stop: async () => {
      await stopProcess(proc, exited);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function stopProcess(proc: ChildProcess, exited: Promise<void>): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  // SIGTERM: jupyter_server shuts its kernels down, then exits.
  proc.kill("SIGTERM");
  const timer = new Promise<boolean>((r) => setTimeout(() => r(false), 15_000));
  const done = await Promise.race([exited.then(() => true), timer]);
  if (!done) {
    proc.kill("SIGKILL");
    await exited;
  }
}

/** Debian's Chromium, headless, fresh profile (playwright's launch uses a new temp user-data-dir). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Collects the page's console errors and uncaught exceptions (printed when a test fails). */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => {
    // jupyter_server 1.x has no /api/me nor /api/events: their 404s are expected.
    if (m.type() === "error" && !/\/api\/(me|events)|404/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}
