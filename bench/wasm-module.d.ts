// The browser bench page embeds wasm/chainrule.wasm through esbuild's binary loader, which makes
// a .wasm import the file's bytes.

declare module "*.wasm" {
  /** The module's bytes. */
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
