export { boom, deferred, flush, outcome, type Deferred } from '@cemaf/test-utils';
