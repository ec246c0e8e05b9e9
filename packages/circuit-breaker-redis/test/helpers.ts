export { boom, deferred, errorOf, eventually, flush, outcome, sleep, type Deferred } from '@cemaf/test-utils';
