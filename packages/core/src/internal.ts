/**
 * Helpers that cemaf's packages share. Not for users: this entry may change in any release.
 * @packageDocumentation
 */
export { onAbort } from './abort.js';
export { checkSleep, schedule, type Schedule } from './clock.js';
export { Emitter, type Listener } from './events.js';
export {
  choiceOption,
  clockOption,
  describe,
  functionOption,
  invalid,
  numberOption,
  optionsOf,
  requiredOption,
  type NumberRule,
} from './options.js';
export { CallContext, runTask, wrap } from './pipeline.js';
