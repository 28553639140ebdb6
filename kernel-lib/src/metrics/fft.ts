/**
 * A small FFT for correlation functions: iterative radix-2 for powers of two,
 * Bluestein's chirp-z for other lengths, and a real-input 3D autocorrelation.
 */

/** Precomputed radix-2 plan for length n (a power of two). */
class Radix2 {
  readonly n: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;
  constructor(n: number) {
    this.n = n;
    this.cos = new Float64Array(n / 2);
    this.sin = new Float64Array(n / 2);
    for (let i = 0; i < n / 2; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
    this.rev = new Uint32Array(n);
    const bits = Math.round(Math.log2(n));
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }
  /** In-place forward transform (inverse: conjugate in and out, divide by n). */
  forward(re: Float64Array, im: Float64Array): void {
    const n = this.n;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i]; re[i] = re[j]; re[j] = t;
        t = im[i]; im[i] = im[j]; im[j] = t;
      }
    }
    // Stage by stage; the twiddle of each k is loaded once and applied to every
    // butterfly that uses it (the inner loop strides by the stage size).
    const cos = this.cos;
    const sin = this.sin;
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sin[k * step];
        for (let a = k; a < n; a += size) {
          const b = a + half;
          const br = re[b];
          const bi = im[b];
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a];
          const ai = im[a];
          re[b] = ar - xr;
          im[b] = ai - xi;
          re[a] = ar + xr;
          im[a] = ai + xi;
        }
      }
    }
  }
}

/** FFT of any length: radix-2 when possible, else Bluestein. */
export class FFT {
  readonly n: number;
  private readonly r2?: Radix2;
  private readonly m: number = 0;
  private readonly big?: Radix2;
  private readonly wr?: Float64Array;
  private readonly wi?: Float64Array;
  private readonly br?: Float64Array;
  private readonly bi?: Float64Array;
  private readonly ar?: Float64Array;
  private readonly ai?: Float64Array;
  constructor(n: number) {
    this.n = n;
    if ((n & (n - 1)) === 0) {
      this.r2 = new Radix2(n);
      return;
    }
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.big = new Radix2(m);
    // Chirp w_k = exp(-iπk²/n); k² mod 2n keeps the angle accurate for large k.
    this.wr = new Float64Array(n);
    this.wi = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const a = (Math.PI * ((k * k) % (2 * n))) / n;
      this.wr[k] = Math.cos(a);
      this.wi[k] = -Math.sin(a);
    }
    this.br = new Float64Array(m);
    this.bi = new Float64Array(m);
    for (let k = 0; k < n; k++) {
      this.br[k] = this.wr[k];
      this.bi[k] = -this.wi[k];
      if (k > 0) {
        this.br[m - k] = this.wr[k];
        this.bi[m - k] = -this.wi[k];
      }
    }
    this.big.forward(this.br, this.bi);
    this.ar = new Float64Array(m);
    this.ai = new Float64Array(m);
  }
  /** In-place forward DFT: X_k = Σ x_j exp(−2πi jk/n). */
  forward(re: Float64Array, im: Float64Array): void {
    if (this.r2) return this.r2.forward(re, im);
    const { n, m } = this;
    const ar = this.ar!, ai = this.ai!, wr = this.wr!, wi = this.wi!, br = this.br!, bi = this.bi!;
    ar.fill(0);
    ai.fill(0);
    for (let k = 0; k < n; k++) {
      ar[k] = re[k] * wr[k] - im[k] * wi[k];
      ai[k] = re[k] * wi[k] + im[k] * wr[k];
    }
    this.big!.forward(ar, ai);
    for (let k = 0; k < m; k++) {
      const xr = ar[k] * br[k] - ai[k] * bi[k];
      const xi = ar[k] * bi[k] + ai[k] * br[k];
      // Inverse via conjugation.
      ar[k] = xr;
      ai[k] = -xi;
    }
    this.big!.forward(ar, ai);
    for (let k = 0; k < n; k++) {
      const xr = ar[k] / m;
      const xi = -ai[k] / m;
      re[k] = xr * wr[k] - xi * wi[k];
      im[k] = xr * wi[k] + xi * wr[k];
    }
  }
  /** In-place inverse DFT (with the 1/n factor). */
  inverse(re: Float64Array, im: Float64Array): void {
    for (let i = 0; i < this.n; i++) im[i] = -im[i];
    this.forward(re, im);
    const s = 1 / this.n;
    for (let i = 0; i < this.n; i++) {
      re[i] *= s;
      im[i] = -im[i] * s;
    }
  }
}

/** What `autocorrelation3d` reads and where its output goes. */
export interface AutocorrelationPlan {
  /** Transform shape [mz, my, mx] (the data padded with zeros up to it). */
  readonly shape: readonly [number, number, number];
  /** Extent of the data [nz, ny, nx], each at most the transform's. */
  readonly extent: readonly [number, number, number];
  /** Writes data row (z, y) into `out[0..nx)` (the rest of `out` is zero). */
  row(z: number, y: number, out: Float64Array): void;
  /** Output planes (lag index kz) and rows (lag index ky) wanted; others are not transformed back. */
  wantPlane(kz: number): boolean;
  wantRow(ky: number): boolean;
  /** Receives row (kz, ky) of the circular autocorrelation: `values[kx]`, kx < mx. */
  visit(kz: number, ky: number, values: Float64Array): void;
  /** Called between planes with the fraction done (abort checks, progress). */
  check?: (fractionDone: number) => void;
}

/**
 * Circular autocorrelation Σ_x f(x) f(x + r) of a real 3D array over the
 * transform box, by Wiener–Khinchin: forward FFT, |F|², inverse FFT. The input
 * is real, so only half the spectrum along x is kept (two real rows share one
 * complex FFT and are untangled by Hermitian symmetry); memory is two float64
 * arrays of mz·my·(⌊mx/2⌋ + 1). The inverse runs only for the wanted planes and
 * rows, which are handed to `visit` one row at a time (the full real result is
 * never stored).
 */
export function autocorrelation3d(p: AutocorrelationPlan): void {
  const [mz, my, mx] = p.shape;
  const [nz, ny] = p.extent;
  const h = (mx >> 1) + 1;
  const plane = my * h;
  const sr = new Float64Array(mz * plane);
  const si = new Float64Array(mz * plane);
  const fx = new FFT(mx);
  const fy = new FFT(my);
  const fz = new FFT(mz);
  const xr = new Float64Array(mx);
  const xi = new Float64Array(mx);
  const yr = new Float64Array(my);
  const yi = new Float64Array(my);
  // 1. Each data plane: real rows two at a time along x, then the columns along y.
  for (let z = 0; z < nz; z++) {
    p.check?.((0.4 * z) / nz);
    const base = z * plane;
    for (let y = 0; y < ny; y += 2) {
      xr.fill(0);
      xi.fill(0);
      p.row(z, y, xr);
      const two = y + 1 < ny;
      if (two) p.row(z, y + 1, xi);
      fx.forward(xr, xi);
      const o = base + y * h;
      for (let k = 0; k < h; k++) {
        const j = k === 0 ? 0 : mx - k;
        // Z = A + iB with A, B the spectra of the two real rows: A = (Z_k + conj Z_-k)/2, B = (Z_k − conj Z_-k)/2i.
        const zr = xr[k], zi = xi[k], cr = xr[j], ci = -xi[j];
        sr[o + k] = 0.5 * (zr + cr);
        si[o + k] = 0.5 * (zi + ci);
        if (two) {
          sr[o + h + k] = 0.5 * (zi - ci);
          si[o + h + k] = -0.5 * (zr - cr);
        }
      }
    }
    if (my > 1) {
      for (let k = 0; k < h; k++) {
        for (let y = 0; y < my; y++) {
          yr[y] = sr[base + y * h + k];
          yi[y] = si[base + y * h + k];
        }
        fy.forward(yr, yi);
        for (let y = 0; y < my; y++) {
          sr[base + y * h + k] = yr[y];
          si[base + y * h + k] = yi[y];
        }
      }
    }
  }
  // 2. Along z, column blocks of B neighbours (contiguous reads per plane):
  //    forward, |F|², inverse (as the conjugate of a forward transform of the real power).
  const B = 16;
  const zr: Float64Array[] = [];
  const zi: Float64Array[] = [];
  for (let b = 0; b < B; b++) {
    zr.push(new Float64Array(mz));
    zi.push(new Float64Array(mz));
  }
  for (let c0 = 0; c0 < plane; c0 += B) {
    if ((c0 & 1023) === 0) p.check?.(0.4 + (0.3 * c0) / plane);
    const nb = Math.min(B, plane - c0);
    for (let t = 0; t < nz; t++) {
      const o = t * plane + c0;
      for (let b = 0; b < nb; b++) {
        zr[b][t] = sr[o + b];
        zi[b][t] = si[o + b];
      }
    }
    for (let b = 0; b < nb; b++) {
      const ar = zr[b], ai = zi[b];
      // Planes beyond the data are zero (padding).
      for (let t = nz; t < mz; t++) { ar[t] = 0; ai[t] = 0; }
      fz.forward(ar, ai);
      for (let t = 0; t < mz; t++) {
        ar[t] = ar[t] * ar[t] + ai[t] * ai[t];
        ai[t] = 0;
      }
      fz.forward(ar, ai);
    }
    for (let t = 0; t < mz; t++) {
      const o = t * plane + c0;
      for (let b = 0; b < nb; b++) {
        sr[o + b] = zr[b][t];
        si[o + b] = -zi[b][t];
      }
    }
  }
  // 3. Wanted planes: inverse along y, then wanted rows two at a time along x.
  const scale = 1 / (mz * my * mx);
  const rowA = new Float64Array(mx);
  const rowB = new Float64Array(mx);
  const rows: number[] = [];
  for (let ky = 0; ky < my; ky++) if (p.wantRow(ky)) rows.push(ky);
  for (let kz = 0; kz < mz; kz++) {
    if (!p.wantPlane(kz)) continue;
    p.check?.(0.7 + (0.3 * kz) / mz);
    const base = kz * plane;
    if (my > 1) {
      for (let k = 0; k < h; k++) {
        for (let y = 0; y < my; y++) {
          yr[y] = sr[base + y * h + k];
          yi[y] = -si[base + y * h + k];
        }
        fy.forward(yr, yi);
        for (let y = 0; y < my; y++) {
          sr[base + y * h + k] = yr[y];
          si[base + y * h + k] = -yi[y];
        }
      }
    }
    for (let r = 0; r < rows.length; r += 2) {
      const ya = rows[r];
      const two = r + 1 < rows.length;
      const yb = two ? rows[r + 1] : -1;
      const oa = base + ya * h;
      const ob = base + yb * h;
      // Full spectrum of (row a) + i (row b) from the two half spectra, conjugated for the inverse.
      for (let k = 0; k < mx; k++) {
        const m = k < h ? k : mx - k;
        const s = k < h ? 1 : -1; // upper half: conj of the mirrored entry
        const ar = sr[oa + m], ai = s * si[oa + m];
        const br = two ? sr[ob + m] : 0, bi = two ? s * si[ob + m] : 0;
        xr[k] = ar - bi;
        xi[k] = -(ai + br);
      }
      fx.forward(xr, xi);
      for (let k = 0; k < mx; k++) {
        rowA[k] = xr[k] * scale;
        rowB[k] = -xi[k] * scale;
      }
      p.visit(kz, ya, rowA);
      if (two) p.visit(kz, yb, rowB);
    }
  }
}
