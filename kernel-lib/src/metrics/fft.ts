/**
 * A small FFT for correlation functions: iterative radix-2 for powers of two,
 * Bluestein's chirp-z for other lengths, and a 3D transform over typed arrays.
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
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * step];
          const wi = this.sin[k * step];
          const a = start + k;
          const b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
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

/** In-place 3D FFT of complex data in C order [nz, ny, nx] (x fastest). */
export function fft3d(re: Float64Array, im: Float64Array, shape: readonly [number, number, number], inverse: boolean, check?: () => void): void {
  const [nz, ny, nx] = shape;
  const strides = [nx * ny, nx, 1];
  const dims = [nz, ny, nx];
  for (let a = 2; a >= 0; a--) {
    const n = dims[a];
    if (n === 1) continue;
    const f = new FFT(n);
    const lr = new Float64Array(n);
    const li = new Float64Array(n);
    const st = strides[a];
    const others = [0, 1, 2].filter((k) => k !== a);
    for (let u = 0; u < dims[others[0]]; u++) {
      check?.();
      for (let v = 0; v < dims[others[1]]; v++) {
        const base = u * strides[others[0]] + v * strides[others[1]];
        for (let t = 0; t < n; t++) {
          lr[t] = re[base + t * st];
          li[t] = im[base + t * st];
        }
        if (inverse) f.inverse(lr, li);
        else f.forward(lr, li);
        for (let t = 0; t < n; t++) {
          re[base + t * st] = lr[t];
          im[base + t * st] = li[t];
        }
      }
    }
  }
}
