import { ManualClock } from '@cemaf/core';

const clock = new ManualClock();
export const woken: number[] = [];

void clock.sleep(100).then(() => woken.push(clock.now()));
void clock.sleep(50).then(() => woken.push(clock.now()));

await clock.advance(100); // wakes the 50 ms sleeper at t=50, then the 100 ms one at t=100
console.log(woken); // [50, 100]
