/**
 * Runs several batch streams at once (at most `concurrency` in flight) and yields their
 * batches as they arrive: the local exchange between a fragment's tasks and their consumer.
 * Stops every stream when the consumer stops early or any stream fails.
 */
import type { Batch } from '../batch/batch.js';

export async function* mergeStreams(streams: readonly (() => AsyncIterable<Batch>)[], concurrency: number): AsyncIterable<Batch> {
  const queue: Batch[] = [];
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  let next = 0;
  let running = 0;
  let stopped = false;
  const iterators: AsyncIterator<Batch>[] = [];
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  /** Back-pressure: a producer waits while the queue holds this many batches. */
  const maxQueued = Math.max(2, concurrency * 2);
  let space: (() => void)[] = [];

  const pump = async (make: () => AsyncIterable<Batch>) => {
    const it = make()[Symbol.asyncIterator]();
    iterators.push(it);
    try {
      for (;;) {
        if (stopped) return;
        const r = await it.next();
        if (r.done || stopped) return;
        queue.push(r.value);
        notify();
        while (queue.length >= maxQueued && !stopped) await new Promise<void>((resolve) => space.push(resolve));
      }
    } catch (e) {
      failure ??= e;
    } finally {
      running--;
      startMore();
      notify();
    }
  };
  const startMore = () => {
    while (!stopped && failure === null && running < concurrency && next < streams.length) {
      running++;
      void pump(streams[next++]!);
    }
  };

  startMore();
  try {
    for (;;) {
      if (failure !== null) throw failure;
      if (queue.length > 0) {
        yield queue.shift()!;
        const waiting = space;
        space = [];
        for (const w of waiting) w();
        continue;
      }
      if (running === 0 && next >= streams.length) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopped = true;
    for (const w of space) w();
    await Promise.allSettled(iterators.map((it) => it.return?.()));
  }
}
