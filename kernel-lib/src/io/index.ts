/**
 * io: reading and writing volumes (multi-page TIFF, folder of 2D TIFFs, NumPy .npy,
 * MetaImage .mhd/.raw and .mha). The only layer besides parallel/, display/ and cli/
 * that touches the file system. Importing it also bases the default memory budget
 * on the machine's available memory.
 */
import "./node-memory";
export {
  type VolumeFormat,
  type SpacingSource,
  type ReadOptions,
  type VolumeInfo,
  type ReadResult,
  type Compression,
  type WriteOptions,
  type WriteResult,
} from "./types";
export { read, readWithMetadata, readInfo, detectFormat, sourcePathsOf } from "./read";
export { write } from "./write";
export { type WriteTextOptions, type WriteTextResult, writeText } from "./text";
