/**
 * tomolyte: X-ray CT analysis of battery electrodes.
 * Each layer's index lists its public names explicitly; this file gathers them.
 */
export { TomolyteError, ERROR_CODES, type ErrorCode, isTomolyteError, checkNumber, throwIfAborted } from "./errors";
export * from "./volume";
export * from "./io";
export * from "./parallel";
export * from "./filters";
export * from "./morphology";
export * from "./segment";
export * from "./metrics";
export * from "./transport";
export * from "./network";
export * from "./generate";
export * from "./plot";
export * from "./table";
export * from "./display";
