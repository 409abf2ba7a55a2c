/** kernels.wat assembled, as scripts/build-wasm.mjs writes it to kernels.wasm. */
export function assembleKernels(): Promise<Buffer>;
