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
)
