/**
 * Registers the Node default memory budget: 80% of the memory available now
 * (and of the container's limit, when Node can see one). Evaluated at each
 * check, so the budget follows the machine as other programs come and go.
 */
import * as os from "node:os";
import { setDefaultMemoryProvider } from "../volume";

/** The default budget in bytes under Node. @example nodeDefaultBudget() / 1024 ** 3 */
export function nodeDefaultBudget(): number {
  let available = os.freemem();
  // constrainedMemory() is the cgroup limit (0 or huge when there is none).
  const constrained = (os as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  if (constrained && constrained > 0 && constrained < available) available = constrained;
  return 0.8 * available;
}

setDefaultMemoryProvider(nodeDefaultBudget);
