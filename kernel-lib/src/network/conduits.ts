/**
 * Conduit geometry: each throat joins pore 1 → throat → pore 2, three elements in
 * series. Models (radii R1, R2 of the pores, Rt of the throat):
 * - "spheres-cylinders": pores are spheres, the throat a cylinder; the pore part
 *   ends where the cylinder meets the sphere, L1 = √(R1² − Rt²) (OpenPNM's
 *   spheres_and_cylinders).
 * - "cones-cylinders": each pore part is a cone frustum from radius R1 at the pore
 *   centre to Rt over L1 = R1 (OpenPNM's cones_and_cylinders).
 * - "cylinders": each pore part is a cylinder of radius R1 over L1 = R1.
 * When the pore parts would not leave room for the throat (overlapping spheres),
 * they are scaled down so that the throat keeps 1e-3 of the length.
 */
export type ConduitModel = "spheres-cylinders" | "cones-cylinders" | "cylinders";
export const CONDUIT_MODELS: readonly ConduitModel[] = ["spheres-cylinders", "cones-cylinders", "cylinders"];

const MIN_THROAT_FRACTION = 1e-3;

/** @internal [L1, Lt, L2] for one conduit of straight length `Ld`. */
export function conduitLengths(model: ConduitModel, R1: number, R2: number, Rt: number, Ld: number): [number, number, number] {
  let L1: number, L2: number;
  if (model === "spheres-cylinders") {
    L1 = R1 > Rt ? Math.sqrt(R1 * R1 - Rt * Rt) : 0;
    L2 = R2 > Rt ? Math.sqrt(R2 * R2 - Rt * Rt) : 0;
  } else {
    L1 = R1;
    L2 = R2;
  }
  const room = Ld * (1 - MIN_THROAT_FRACTION);
  if (L1 + L2 > room) {
    const s = L1 + L2 > 0 ? room / (L1 + L2) : 0;
    L1 *= s;
    L2 *= s;
  }
  return [L1, Math.max(Ld - L1 - L2, 0), L2];
}

/**
 * @internal Resistance factors of one pore element of radius R and length L ending at a
 * throat of radius Rt: [diffusive ∫dx/A(x), hydraulic ∫8dx/(π r(x)⁴)] (µm⁻¹, µm⁻³).
 * Dividing by D gives the diffusive resistance; multiplying the second by μ the hydraulic one.
 */
export function poreElementResistance(model: ConduitModel, R: number, Rt: number, L: number): [number, number] {
  if (!(L > 0)) return [0, 0];
  if (model === "spheres-cylinders") {
    // A(x) = π(R² − x²), from the centre (x = 0) to L < R.
    const lg = Math.log((R + L) / (R - L));
    const diff = lg / (2 * Math.PI * R);
    const integral = L / (2 * R * R * (R * R - L * L)) + lg / (4 * R * R * R);
    return [diff, (8 / Math.PI) * integral];
  }
  if (model === "cones-cylinders") {
    // Frustum from R to Rt: ∫dx/(πr²) = L/(πR·Rt); ∫8dx/(πr⁴) = 8L(R² + R·Rt + Rt²)/(3πR³Rt³).
    const r2 = Math.min(Rt, R) > 0 ? Math.min(Rt, R) : R;
    return [L / (Math.PI * R * r2), (8 * L * (R * R + R * r2 + r2 * r2)) / (3 * Math.PI * R ** 3 * r2 ** 3)];
  }
  return [L / (Math.PI * R * R), (8 * L) / (Math.PI * R ** 4)];
}

/** @internal Resistance factors of a cylinder of radius r and length L (Hagen–Poiseuille for flow). */
export function cylinderResistance(r: number, L: number): [number, number] {
  if (!(L > 0)) return [0, 0];
  return [L / (Math.PI * r * r), (8 * L) / (Math.PI * r ** 4)];
}
