// A quick look at cemaf at work, on virtual time: prints what happens to calls made to a flaky
// in-process service.
import { ManualClock, pipeline } from '../packages/core/dist/index.js';

const clock = new ManualClock();
const log = (line) => console.log(`[t=${String(clock.now()).padStart(5)} ms] ${line}`);

let calls = 0;
async function flakyService() {
  calls += 1;
  await clock.sleep(20);
  if (calls % 3 !== 0) throw new Error(`service failed (call ${calls})`);
  return `payload ${calls}`;
}

const outcome = pipeline()
  .execute(flakyService)
  .then(
    (value) => log(`succeeded: ${value}`),
    (error) => log(`failed: ${error.message}`),
  );
await clock.advance(20);
await outcome;
