/** Length units found in metadata, as micrometres per unit. */

const UNIT_UM: Record<string, number> = {
  micron: 1, microns: 1, um: 1, "µm": 1, "μm": 1, "\\u00b5m": 1, micrometer: 1, micrometre: 1, micrometers: 1, micrometres: 1,
  nm: 1e-3, nanometer: 1e-3, nanometre: 1e-3, nanometers: 1e-3, nanometres: 1e-3,
  mm: 1e3, millimeter: 1e3, millimetre: 1e3, millimeters: 1e3, millimetres: 1e3,
  cm: 1e4, centimeter: 1e4, centimetre: 1e4, centimeters: 1e4, centimetres: 1e4,
  m: 1e6, meter: 1e6, metre: 1e6, meters: 1e6, metres: 1e6,
  inch: 25400, inches: 25400, in: 25400, '"': 25400,
};

/** µm per unit, or undefined for unknown/no units ("pixel", ""). @example micronsPerUnit("mm") // 1000 */
export function micronsPerUnit(unit: string | undefined): number | undefined {
  if (unit === undefined) return undefined;
  const u = unit.trim().toLowerCase();
  return UNIT_UM[u];
}

/**
 * Best rational approximation p/q of x > 0 with p, q <= 2^32-1 (continued fractions),
 * for TIFF RATIONAL tags.
 */
export function toRational(x: number): [number, number] {
  const MAX = 4294967295;
  if (!(x > 0) || !Number.isFinite(x)) return [0, 1];
  if (x >= MAX) return [MAX, 1];
  let [p0, q0, p1, q1] = [0, 1, 1, 0];
  let v = x;
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(v);
    const p2 = a * p1 + p0;
    const q2 = a * q1 + q0;
    if (p2 > MAX || q2 > MAX) break;
    [p0, q0, p1, q1] = [p1, q1, p2, q2];
    if (p1 / q1 === x) break;
    const f = v - a;
    if (f < 1e-15) break;
    v = 1 / f;
  }
  if (q1 === 0) return [MAX, 1];
  return [p1, q1];
}
