// cr.io in the browser: tensors to and from safetensors bytes. save gives the bytes; load reads
// bytes, a Blob or a fetch Response. cr.save and cr.load are re-exported at the top.

export {
  serialize,
  deserialize,
  parseMetadata,
  type TensorMap,
  type Metadata,
  type SafetensorsContents,
} from "./safetensors.js";
export { save, load, loadFile, loadMetadata, type BytesSource } from "./bytes.js";
