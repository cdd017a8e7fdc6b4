/** One spill file per hash partition, created when a partition first gets rows. */
import type { Batch, Schema } from '../batch/batch.js';
import { splitByPartition } from './partition.js';
import type { SpillFile, SpillSpace } from './spill-space.js';

export class PartitionedSpill {
  readonly files: (SpillFile | null)[];

  constructor(private readonly space: SpillSpace, private readonly schema: Schema, readonly fanout: number) {
    this.files = new Array<SpillFile | null>(fanout).fill(null);
  }

  /** Appends the rows of `b` to their partitions' files (`parts[i]` is row i's partition). */
  async write(b: Batch, parts: Uint8Array): Promise<void> {
    const split = splitByPartition(b, parts, this.fanout);
    for (let p = 0; p < this.fanout; p++) {
      const rows = split[p];
      if (!rows) continue;
      const file = (this.files[p] ??= await this.space.create(this.schema));
      await file.write(rows);
    }
  }

  async deleteAll(): Promise<void> {
    await Promise.all(this.files.map((f) => f?.delete()));
  }
}
