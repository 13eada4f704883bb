// cr.io: tensors to and from safetensors, as bytes (serialize/deserialize, any platform) and as
// files (save/load, Node; written atomically). cr.save and cr.load are re-exported at the top.

export {
  serialize,
  deserialize,
  parseMetadata,
  type TensorMap,
  type Metadata,
  type SafetensorsContents,
} from "./safetensors.js";
export { save, load, loadFile, loadMetadata, writeFileAtomic } from "./files.js";
