import FFT from 'fft.js';

/**
 * A DFT of any length (MDX-Net models use n_fft = 7680, not a power of two): powers of two go straight to fft.js,
 * other lengths through Bluestein's chirp-z algorithm on a power-of-two FFT of at least 2N - 1 points, with the
 * chirp's transform computed once per length.
 */
export class AnySizeFft {
  private readonly pow2?: FFT;
  private readonly m: number;
  private readonly fft?: FFT;
  private readonly chirpRe = new Float64Array(0);
  private readonly chirpIm = new Float64Array(0);
  private readonly kernel: number[] = [];
  private readonly a: number[] = [];
  private readonly aHat: number[] = [];
  private readonly prod: number[] = [];
  private readonly conv: number[] = [];

  constructor(readonly n: number) {
    if ((n & (n - 1)) === 0 && n > 1) {
      this.pow2 = new FFT(n);
      this.m = n;
      return;
    }
    let m = 1;
    while (m < 2 * n - 1) m *= 2;
    this.m = m;
    this.fft = new FFT(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // n^2 mod 2N keeps the angle exact for large n
      const angle = (Math.PI * ((i * i) % (2 * n))) / n;
      this.chirpRe[i] = Math.cos(angle);
      this.chirpIm[i] = -Math.sin(angle);
    }
    const b = this.fft.createComplexArray() as number[];
    for (let i = 0; i < n; i++) {
      b[2 * i] = this.chirpRe[i];
      b[2 * i + 1] = -this.chirpIm[i];
      if (i > 0) {
        b[2 * (m - i)] = this.chirpRe[i];
        b[2 * (m - i) + 1] = -this.chirpIm[i];
      }
    }
    this.kernel = this.fft.createComplexArray() as number[];
    this.fft.transform(this.kernel, b);
    this.a = this.fft.createComplexArray() as number[];
    this.aHat = this.fft.createComplexArray() as number[];
    this.prod = this.fft.createComplexArray() as number[];
    this.conv = this.fft.createComplexArray() as number[];
  }

  /** Forward DFT of complex `input` (re, im interleaved, n points) into `out` (the same layout). */
  transform(out: Float64Array, input: ArrayLike<number>): void {
    const n = this.n;
    if (this.pow2) {
      const o = this.pow2.createComplexArray() as number[];
      this.pow2.transform(o, Array.from(input));
      for (let i = 0; i < 2 * n; i++) out[i] = o[i];
      return;
    }
    const { a, aHat, prod, conv, kernel, chirpRe: cr, chirpIm: ci } = this;
    a.fill(0);
    for (let i = 0; i < n; i++) {
      const re = input[2 * i];
      const im = input[2 * i + 1];
      a[2 * i] = re * cr[i] - im * ci[i];
      a[2 * i + 1] = re * ci[i] + im * cr[i];
    }
    this.fft!.transform(aHat, a);
    for (let i = 0; i < this.m; i++) {
      const re = aHat[2 * i];
      const im = aHat[2 * i + 1];
      prod[2 * i] = re * kernel[2 * i] - im * kernel[2 * i + 1];
      prod[2 * i + 1] = re * kernel[2 * i + 1] + im * kernel[2 * i];
    }
    this.fft!.inverseTransform(conv, prod);
    for (let k = 0; k < n; k++) {
      const re = conv[2 * k];
      const im = conv[2 * k + 1];
      out[2 * k] = re * cr[k] - im * ci[k];
      out[2 * k + 1] = re * ci[k] + im * cr[k];
    }
  }

  /** Inverse DFT (with the 1/n), the same layout. */
  inverse(out: Float64Array, input: ArrayLike<number>): void {
    const n = this.n;
    const conj = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      conj[2 * i] = input[2 * i];
      conj[2 * i + 1] = -input[2 * i + 1];
    }
    this.transform(out, conj);
    for (let i = 0; i < n; i++) {
      out[2 * i] /= n;
      out[2 * i + 1] = -out[2 * i + 1] / n;
    }
  }
}
