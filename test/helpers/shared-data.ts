/**
 * The project's shared data folder (real tomograms with provenance): `../shared/data`
 * beside the repository, as laid out on developer machines and in CI.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";

export const SHARED_DATA = [resolve(__dirname, "../../../shared/data"), "/work/shared/data"].find((p) => existsSync(p)) ??
  resolve(__dirname, "../../../shared/data");
