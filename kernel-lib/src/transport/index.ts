export {
  type TortuosityMethod,
  type TortuosityOptions,
  type TortuosityResult,
  type TortuosityAllResult,
  tortuosity,
} from "./tortuosity";
