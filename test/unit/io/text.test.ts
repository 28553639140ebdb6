import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeText } from "../../../kernel-lib/src/io";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tomolyte-text-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("writeText", () => {
  it("writes UTF-8 atomically, refuses an existing file unless overwrite, never a folder, leaves no temp file", async () => {
    const f = path.join(dir, "a.json");
    const r = await writeText(f, '{"µm": 1}');
    expect(r.path).toBe(path.resolve(f));
    expect(r.bytes).toBe(Buffer.byteLength('{"µm": 1}'));
    expect(fs.readFileSync(f, "utf8")).toBe('{"µm": 1}');
    await expect(writeText(f, "other")).rejects.toMatchObject({ code: "WOULD_OVERWRITE" });
    expect(fs.readFileSync(f, "utf8")).toBe('{"µm": 1}');
    await writeText(f, "other", { overwrite: true });
    expect(fs.readFileSync(f, "utf8")).toBe("other");
    await expect(writeText(dir, "x", { overwrite: true })).rejects.toMatchObject({ code: "WOULD_OVERWRITE" });
    await expect(writeText(path.join(dir, "no", "such", "b.txt"), "x")).rejects.toMatchObject({ code: "WRITE_FAILED" });
    const ac = new AbortController();
    ac.abort();
    await expect(writeText(path.join(dir, "c.txt"), "x", { signal: ac.signal })).rejects.toMatchObject({ code: "CANCELLED" });
    expect(fs.readdirSync(dir).sort()).toEqual(["a.json"]);
  });
});
