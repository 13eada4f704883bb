// The wasm module as a page's bundle holds it: esbuild's binary loader (pageBuildOptions) makes
// `import wasm from "../wasm/chainrule.wasm"` the module's bytes, so a page needs no second file.

declare module "*.wasm" {
  /** The module's bytes. */
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
