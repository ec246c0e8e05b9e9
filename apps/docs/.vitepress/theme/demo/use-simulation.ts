import { onMounted, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';

/** Where a demo's latest run is. */
export type SimulationStatus = 'idle' | 'running' | 'ready' | 'error';

export interface SimulationState<R> {
  /** The latest finished run's result. */
  readonly result: ShallowRef<R | undefined>;
  readonly status: Ref<SimulationStatus>;
  /** The latest run's failure, when `status` is `'error'`. */
  readonly error: ShallowRef<unknown>;
  /** Runs finished so far, kept or failed; tests wait for it to grow after moving a control. */
  readonly runs: Ref<number>;
  /** Runs again with the current settings. */
  rerun(): Promise<void>;
}

/**
 * Runs `run(settings())` in the browser once the demo is mounted and again whenever the settings
 * change (a slider moves). Only the latest run's result is kept: a slow earlier run that ends
 * after a newer one is dropped.
 */
export function useSimulation<S, R>(settings: () => S, run: (settings: S) => Promise<R>): SimulationState<R> {
  const result = shallowRef<R>();
  const status = ref<SimulationStatus>('idle');
  const error = shallowRef<unknown>();
  const runs = ref(0);
  let latest = 0;

  async function rerun(): Promise<void> {
    const id = ++latest;
    status.value = 'running';
    try {
      const value = await run(settings());
      if (id !== latest) return;
      result.value = value;
      error.value = undefined;
      status.value = 'ready';
      runs.value++;
    } catch (failure) {
      if (id !== latest) return;
      error.value = failure;
      status.value = 'error';
      runs.value++;
      console.error(failure);
    }
  }

  // Only in the browser: the static build renders the demo's frame, not a run.
  onMounted(() => {
    watch(settings, () => void rerun(), { deep: true, immediate: true });
  });
  return { result, status, error, runs, rerun };
}
