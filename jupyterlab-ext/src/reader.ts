/**
 * Reading a volume file in the browser: the format from the name's extension and the first
 * bytes (the content wins when they disagree, as in kernel-lib's io), then the reader of
 * that format. Used by the document widget (document.ts) for files opened from the file browser.
 */
import { VolumeFile, VolumeFileError } from "./reader-elements";
import { isMetaImage, readMetaImage } from "./reader-meta";
import { isNpy, readNpy } from "./reader-npy";
import { isTiff, readTiff } from "./reader-tiff";

export { VolumeFileError } from "./reader-elements";
export type { VolumeFile } from "./reader-elements";

/** File extensions the viewer opens (lower case, with the dot). */
export const VOLUME_FILE_EXTENSIONS = [".tif", ".tiff", ".npy", ".mha", ".mhd"];

/** Largest file the viewer fetches (bytes): a 256 Mi-voxel float32 volume plus headers. */
export const MAX_FILE_BYTES = 1024 * 1024 * 1024 + 1024 * 1024;

/**
 * Decodes a volume file's bytes. `name` is the file's name (its extension picks the format
 * when the content is not recognised); `fetchSibling` reads a file named relative to this
 * one (an .mhd's data file).
 * @example
 * const vol = await readVolumeFile("scan.mhd", headerBytes, (n) => contentsBytes(dir + "/" + n));
 * view.load(vol);
 */
export async function readVolumeFile(name: string, bytes: Uint8Array, fetchSibling?: (name: string) => Promise<Uint8Array>): Promise<VolumeFile> {
  const base = name.split("/").pop() ?? name;
  const ext = /\.[^.]*$/.exec(base.toLowerCase())?.[0] ?? "";
  if (bytes.length === 0) throw new VolumeFileError(`${base} is empty`);
  if (isTiff(bytes)) return readTiff(bytes, base);
  if (isNpy(bytes)) return readNpy(bytes, base);
  if (isMetaImage(bytes)) return readMetaImage(bytes, base, fetchSibling);
  if (ext === ".raw" || ext === ".zraw") throw new VolumeFileError(`${base} is raw data without a header: open the .mhd that names it`);
  const what: Record<string, string> = { ".tif": "a TIFF", ".tiff": "a TIFF", ".npy": "a NumPy .npy file", ".mha": "a MetaImage", ".mhd": "a MetaImage header" };
  if (what[ext]) throw new VolumeFileError(`${base} is not ${what[ext]}: its first bytes are not that format's (damaged, or another format renamed)`);
  throw new VolumeFileError(`${base}: unknown volume format (the viewer reads ${VOLUME_FILE_EXTENSIONS.join(" ")})`);
}
