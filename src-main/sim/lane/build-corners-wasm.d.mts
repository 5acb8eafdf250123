/** The camera corner kernel's module bytes, compiled from corners.as.ts with AssemblyScript. */
export function buildCornersWasm(): Promise<Uint8Array>;
/** The text of corners-wasm.ts for these module bytes. */
export function cornersWasmModule(bytes: Uint8Array): string;
