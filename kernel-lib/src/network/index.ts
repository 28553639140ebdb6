/**
 * Pore network extraction (SNOW), pore and throat properties, network transport
 * (diffusion, Stokes flow) and export (OpenPNM dict, CSV, VTK). See docs/network.md.
 */
export { type NetworkPores, type NetworkThroats, type PoreNetwork } from "./types";
export { type SnowOptions, type SnowResult, snow, networkFromRegions } from "./extraction";
export { type SnowStepCounts } from "./snow";
export { type ConduitModel, CONDUIT_MODELS } from "./conduits";
export {
  type CsrMatrix,
  type PcgOptions,
  type PcgResult,
  type ConductanceOptions,
  type NetworkTransportOptions,
  type NetworkSolveResult,
  type NetworkDiffusionResult,
  type NetworkPermeabilityResult,
  MILLIDARCY_M2,
  csrMultiply,
  pcg,
  conduitConductances,
  networkDiffusion,
  networkPermeability,
} from "./solve";
export {
  type OpenPNMDict,
  type NetworkSummary,
  toOpenPNM,
  networkToJSON,
  networkToCSV,
  networkToVTP,
  poreColumns,
  throatColumns,
  networkSummary,
} from "./export";
