// heapscope's library API: everything the CLI does, as typed functions.
// Each layer adds its public functions here.
export * from "./errors.js";
export type * from "./profile/model.js";
export { emptyProfile } from "./profile/model.js";
