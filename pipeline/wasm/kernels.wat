;; Inner loops that JS cannot vectorise, as WebAssembly SIMD (f32x4). Assembled by scripts/build-wasm.mjs into
;; kernels.wasm beside this file; test/unit/wasmKernels.test.ts checks the two still agree.
(module
  (memory (export "memory") 1)

  ;; Polyphase FIR (resample.ts): for outputs j in [0, n), starting from the kernel position $base, phase $phase and
  ;; $rem = (j * down) mod up of output 0, then advancing base by down/up and phase by one per output,
  ;;   y[j] = sum_k w[phase * taps + k] * x[base - reach + k],  k < taps (a multiple of 8, zero-padded weights)
  ;; for every j whose whole kernel lies inside x (base - reach >= 0 and base + reach < xlen); the others are left
  ;; as they are for the caller, which cuts and renormalises the kernel there. x must be readable `taps` samples
  ;; past base - reach, so the caller pads it with zeros.
  (func (export "polyphase")
    (param $x i32) (param $xlen i32) (param $y i32) (param $n i32)
    (param $w i32) (param $taps i32) (param $up i32) (param $down i32) (param $reach i32)
    (param $base i32) (param $rem i32) (param $phase i32)
    (local $j i32)
    (local $xp i32) (local $wp i32) (local $end i32)
    (local $a0 v128) (local $a1 v128)
    (block $done
      (loop $outputs
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (if (i32.and
              (i32.ge_s (i32.sub (local.get $base) (local.get $reach)) (i32.const 0))
              (i32.lt_s (i32.add (local.get $base) (local.get $reach)) (local.get $xlen)))
          (then
            (local.set $xp (i32.add (local.get $x) (i32.shl (i32.sub (local.get $base) (local.get $reach)) (i32.const 2))))
            (local.set $wp (i32.add (local.get $w) (i32.shl (i32.mul (local.get $phase) (local.get $taps)) (i32.const 2))))
            (local.set $end (i32.add (local.get $wp) (i32.shl (local.get $taps) (i32.const 2))))
            (local.set $a0 (v128.const f32x4 0 0 0 0))
            (local.set $a1 (v128.const f32x4 0 0 0 0))
            ;; two running sums, so one add need not wait for the other
            (loop $taps8
              (local.set $a0 (f32x4.add (local.get $a0)
                (f32x4.mul (v128.load (local.get $xp)) (v128.load (local.get $wp)))))
              (local.set $a1 (f32x4.add (local.get $a1)
                (f32x4.mul (v128.load offset=16 (local.get $xp)) (v128.load offset=16 (local.get $wp)))))
              (local.set $xp (i32.add (local.get $xp) (i32.const 32)))
              (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
              (br_if $taps8 (i32.lt_u (local.get $wp) (local.get $end))))
            (local.set $a0 (f32x4.add (local.get $a0) (local.get $a1)))
            (f32.store
              (i32.add (local.get $y) (i32.shl (local.get $j) (i32.const 2)))
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
                (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))))
        ;; the next output's kernel position: rem / up is base's fractional part
        (local.set $rem (i32.add (local.get $rem) (local.get $down)))
        (block $carried
          (loop $carry
            (br_if $carried (i32.lt_u (local.get $rem) (local.get $up)))
            (local.set $rem (i32.sub (local.get $rem) (local.get $up)))
            (local.set $base (i32.add (local.get $base) (i32.const 1)))
            (br $carry)))
        (local.set $phase (i32.add (local.get $phase) (i32.const 1)))
        (if (i32.eq (local.get $phase) (local.get $up)) (then (local.set $phase (i32.const 0))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $outputs))))

  ;; Frames for an FFT: dst[t * nfft + i] = src[t * hop + i] * win[i], t < frames, i < nfft (a multiple of 4).
  (func (export "windowFrames")
    (param $src i32) (param $hop i32) (param $frames i32) (param $win i32) (param $nfft i32) (param $dst i32)
    (local $t i32) (local $i i32) (local $from i32)
    (block $done
      (loop $frame
        (br_if $done (i32.ge_u (local.get $t) (local.get $frames)))
        (local.set $from (i32.add (local.get $src) (i32.shl (i32.mul (local.get $t) (local.get $hop)) (i32.const 2))))
        (local.set $i (i32.const 0))
        (loop $samples
          (v128.store (local.get $dst)
            (f32x4.mul (v128.load (i32.add (local.get $from) (local.get $i))) (v128.load (i32.add (local.get $win) (local.get $i)))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $samples (i32.lt_u (local.get $i) (i32.shl (local.get $nfft) (i32.const 2)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $frame))))

  ;; The same with each frame's mean taken out first (over its len samples, a multiple of 4), and zeros from len
  ;; up to nfft (a multiple of 4): an autocorrelation's frames.
  (func (export "centredWindowFrames")
    (param $src i32) (param $hop i32) (param $frames i32) (param $win i32) (param $len i32) (param $nfft i32) (param $dst i32)
    (local $t i32) (local $i i32) (local $from i32) (local $bytes i32) (local $sum v128) (local $mean v128)
    (local.set $bytes (i32.shl (local.get $len) (i32.const 2)))
    (block $done
      (loop $frame
        (br_if $done (i32.ge_u (local.get $t) (local.get $frames)))
        (local.set $from (i32.add (local.get $src) (i32.shl (i32.mul (local.get $t) (local.get $hop)) (i32.const 2))))
        (local.set $sum (v128.const f32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (loop $add
          (local.set $sum (f32x4.add (local.get $sum) (v128.load (i32.add (local.get $from) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $add (i32.lt_u (local.get $i) (local.get $bytes))))
        (local.set $mean (f32x4.splat (f32.div
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $sum)) (f32x4.extract_lane 1 (local.get $sum)))
            (f32.add (f32x4.extract_lane 2 (local.get $sum)) (f32x4.extract_lane 3 (local.get $sum))))
          (f32.convert_i32_u (local.get $len)))))
        (local.set $i (i32.const 0))
        (loop $centre
          (v128.store (local.get $dst)
            (f32x4.mul
              (f32x4.sub (v128.load (i32.add (local.get $from) (local.get $i))) (local.get $mean))
              (v128.load (i32.add (local.get $win) (local.get $i)))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $centre (i32.lt_u (local.get $i) (local.get $bytes))))
        (memory.fill (local.get $dst) (i32.const 0) (i32.shl (i32.sub (local.get $nfft) (local.get $len)) (i32.const 2)))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.sub (local.get $nfft) (local.get $len)) (i32.const 2))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $frame))))

  ;; sqrt(|X[k]|^2 + eps) for k = 0..nfft/2 of each of `frames` spectra in PFFFT's ordered layout
  ;; ([re 0, re nfft/2, re 1, im 1, re 2, im 2, ...], nfft floats each) into rows of nfft/2 + 1 at out.
  (func (export "magnitudes")
    (param $spec i32) (param $frames i32) (param $nfft i32) (param $eps f32) (param $out i32)
    (local $t i32) (local $k i32) (local $half i32) (local $s i32) (local $a v128) (local $b v128) (local $e v128)
    (local $re f32) (local $im f32)
    (local.set $half (i32.shr_u (local.get $nfft) (i32.const 1)))
    (local.set $e (f32x4.splat (local.get $eps)))
    (block $done
      (loop $frame
        (br_if $done (i32.ge_u (local.get $t) (local.get $frames)))
        (f32.store (local.get $out)
          (f32.sqrt (f32.add (f32.mul (f32.load (local.get $spec)) (f32.load (local.get $spec))) (local.get $eps))))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $half) (i32.const 2)))
          (f32.sqrt (f32.add (f32.mul (f32.load offset=4 (local.get $spec)) (f32.load offset=4 (local.get $spec))) (local.get $eps))))
        ;; bins 1.. four at a time: squares of [re, im, re, im] pairs, evens plus odds
        (local.set $k (i32.const 1))
        (block $quads
          (loop $quad
            (br_if $quads (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $half)))
            (local.set $s (i32.add (local.get $spec) (i32.shl (local.get $k) (i32.const 3))))
            (local.set $a (v128.load (local.get $s)))
            (local.set $b (v128.load offset=16 (local.get $s)))
            (local.set $a (f32x4.mul (local.get $a) (local.get $a)))
            (local.set $b (f32x4.mul (local.get $b) (local.get $b)))
            (v128.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
              (f32x4.sqrt (f32x4.add (local.get $e) (f32x4.add
                (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b))
                (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b))))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $quad)))
        (block $rest
          (loop $one
            (br_if $rest (i32.ge_u (local.get $k) (local.get $half)))
            (local.set $s (i32.add (local.get $spec) (i32.shl (local.get $k) (i32.const 3))))
            (local.set $re (f32.load (local.get $s)))
            (local.set $im (f32.load offset=4 (local.get $s)))
            (f32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2)))
              (f32.sqrt (f32.add (f32.add (f32.mul (local.get $re) (local.get $re)) (f32.mul (local.get $im) (local.get $im))) (local.get $eps))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $one)))
        (local.set $spec (i32.add (local.get $spec) (i32.shl (local.get $nfft) (i32.const 2))))
        (local.set $out (i32.add (local.get $out) (i32.shl (i32.add (local.get $half) (i32.const 1)) (i32.const 2))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $frame))))

  ;; In place, each of `frames` ordered spectra becomes its power spectrum in the same layout (imaginary parts 0),
  ;; ready for the inverse transform: the circular autocorrelation.
  (func (export "powerSpectra")
    (param $spec i32) (param $frames i32) (param $nfft i32)
    (local $t i32) (local $p i32) (local $end i32) (local $v v128) (local $re f32) (local $im f32)
    (block $done
      (loop $frame
        (br_if $done (i32.ge_u (local.get $t) (local.get $frames)))
        (f32.store (local.get $spec) (f32.mul (f32.load (local.get $spec)) (f32.load (local.get $spec))))
        (f32.store offset=4 (local.get $spec) (f32.mul (f32.load offset=4 (local.get $spec)) (f32.load offset=4 (local.get $spec))))
        (local.set $p (i32.add (local.get $spec) (i32.const 8)))
        (local.set $end (i32.add (local.get $spec) (i32.shl (local.get $nfft) (i32.const 2))))
        ;; two bins at a time: [re, im, re, im]^2, each pair summed into its real slot, zeros in the imaginary ones
        (block $pairs
          (loop $pair
            (br_if $pairs (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
            (local.set $v (f32x4.mul (v128.load (local.get $p)) (v128.load (local.get $p))))
            (v128.store (local.get $p) (v128.and
              (f32x4.add (local.get $v) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $v) (local.get $v)))
              (v128.const i32x4 -1 0 -1 0)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $pair)))
        (if (i32.lt_u (local.get $p) (local.get $end))
          (then
            (local.set $re (f32.load (local.get $p)))
            (local.set $im (f32.load offset=4 (local.get $p)))
            (f32.store (local.get $p) (f32.add (f32.mul (local.get $re) (local.get $re)) (f32.mul (local.get $im) (local.get $im))))
            (f32.store offset=4 (local.get $p) (f32.const 0))))
        (local.set $spec (local.get $end))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $frame))))

  ;; c[r][j] = sum_i a[r][i] * b[i][j]: rows x inner times inner x cols, row-major, cols a multiple of 4.
  (func (export "matmul")
    (param $a i32) (param $rows i32) (param $inner i32) (param $b i32) (param $cols i32) (param $c i32)
    (local $r i32) (local $j i32) (local $i i32) (local $ar i32) (local $bp i32) (local $stride i32)
    (local $s0 v128) (local $s1 v128)
    (local.set $stride (i32.shl (local.get $cols) (i32.const 2)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $ar (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $inner)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (loop $col4
          (local.set $s0 (v128.const f32x4 0 0 0 0))
          (local.set $s1 (v128.const f32x4 0 0 0 0))
          (local.set $bp (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $i (i32.const 0))
          ;; two running sums over the inner index, even and odd
          (block $evens
            (loop $two
              (br_if $evens (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $inner)))
              (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul
                (f32x4.splat (f32.load (i32.add (local.get $ar) (i32.shl (local.get $i) (i32.const 2)))))
                (v128.load (local.get $bp)))))
              (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul
                (f32x4.splat (f32.load offset=4 (i32.add (local.get $ar) (i32.shl (local.get $i) (i32.const 2)))))
                (v128.load (i32.add (local.get $bp) (local.get $stride))))))
              (local.set $bp (i32.add (local.get $bp) (i32.shl (local.get $stride) (i32.const 1))))
              (local.set $i (i32.add (local.get $i) (i32.const 2)))
              (br $two)))
          (if (i32.lt_u (local.get $i) (local.get $inner))
            (then (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul
              (f32x4.splat (f32.load (i32.add (local.get $ar) (i32.shl (local.get $i) (i32.const 2)))))
              (v128.load (local.get $bp)))))))
          (v128.store
            (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $cols)) (local.get $j)) (i32.const 2)))
            (f32x4.add (local.get $s0) (local.get $s1)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $col4 (i32.lt_u (local.get $j) (local.get $cols))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))

  ;; Band energies: out[t][f] = sum_j w[f][j] * x[t][start_f + j]^2 for `frames` rows of `bins` at x and `filters`
  ;; bands, each described at desc by three i32s (start bin, weight count padded to a multiple of 4, float offset of
  ;; its weights at w; the padding weights 0). Reads up to 3 floats past a row: the caller leaves them finite.
  (func (export "bandEnergies")
    (param $x i32) (param $frames i32) (param $bins i32) (param $desc i32) (param $filters i32) (param $w i32) (param $out i32)
    (local $t i32) (local $f i32) (local $d i32) (local $xp i32) (local $wp i32) (local $end i32) (local $v v128) (local $s v128)
    (block $done
      (loop $frame
        (br_if $done (i32.ge_u (local.get $t) (local.get $frames)))
        (local.set $f (i32.const 0))
        (local.set $d (local.get $desc))
        (block $bands
          (loop $band
            (br_if $bands (i32.ge_u (local.get $f) (local.get $filters)))
            (local.set $xp (i32.add (local.get $x) (i32.shl (i32.load (local.get $d)) (i32.const 2))))
            (local.set $wp (i32.add (local.get $w) (i32.shl (i32.load offset=8 (local.get $d)) (i32.const 2))))
            (local.set $end (i32.add (local.get $wp) (i32.shl (i32.load offset=4 (local.get $d)) (i32.const 2))))
            (local.set $s (v128.const f32x4 0 0 0 0))
            (block $summed
              (loop $four
                (br_if $summed (i32.ge_u (local.get $wp) (local.get $end)))
                (local.set $v (v128.load (local.get $xp)))
                (local.set $s (f32x4.add (local.get $s) (f32x4.mul (v128.load (local.get $wp)) (f32x4.mul (local.get $v) (local.get $v)))))
                (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
                (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
                (br $four)))
            (f32.store (local.get $out) (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $s)) (f32x4.extract_lane 1 (local.get $s)))
              (f32.add (f32x4.extract_lane 2 (local.get $s)) (f32x4.extract_lane 3 (local.get $s)))))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $d (i32.add (local.get $d) (i32.const 12)))
            (local.set $f (i32.add (local.get $f) (i32.const 1)))
            (br $band)))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $bins) (i32.const 2))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $frame))))
)
