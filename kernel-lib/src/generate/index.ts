/**
 * generate: seeded random streams and synthetic data (a CT forward model of
 * label volumes; stochastic microstructures later).
 */
export { type Rng, createRng } from "./rng";
export { type SimulateCTOptions, simulateCT } from "./ct";
