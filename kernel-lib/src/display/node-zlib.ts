/**
 * Under Node, deflate the display payload with node:zlib (native) instead of
 * fflate. Imported for its side effect by display/index.ts.
 */
import * as zlib from "node:zlib";
import { setDeflateRaw } from "./encode";

setDeflateRaw((bytes, level) => {
  const out = zlib.deflateRawSync(bytes, { level });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
});
