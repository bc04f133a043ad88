/**
 * Reads shared by the sends of one group: the same files sent to several recipients at once, one transfer each. The
 * first send to need a block reads it from disk; the others get the same bytes from here, so while the sends keep
 * within {@link SHARED_READ_BYTES} of each other a block is read from disk once, not once per recipient. A send that
 * falls further behind reads the block again itself (from the system's page cache, typically): sharing saves reads,
 * it never holds a send back.
 *
 * Each send still hashes what it sends and is verified on its own (docs/PROTOCOL.md §5); a shared buffer is never
 * reused for another block (the sender's `BlockPool` is not used for shared blocks), so what one send hands to its
 * stream cannot change under another.
 */

/** Bytes of blocks kept for the sends that have not read them yet, at most (per group): 32 blocks of 1 MiB. */
export const SHARED_READ_BYTES = 32 * 1024 * 1024

interface Entry {
  block: Promise<Buffer>
  bytes: number
  /** Sends of the group that have not taken it yet. */
  waiting: number
}

/** The shared reads of one group of `sends` sends (see the module). */
export class SharedReads {
  private readers: number
  private readonly budget: number
  private readonly entries = new Map<string, Entry>()
  private held = 0
  /** Blocks read from disk through this group (for tests and diagnostics). */
  diskReads = 0
  /** Blocks handed out without a read of their own. */
  sharedHits = 0

  /**
   * @param sends - how many sends read through it
   * @param budgetBytes - bytes of blocks kept at most (default {@link SHARED_READ_BYTES})
   */
  constructor (sends: number, budgetBytes = SHARED_READ_BYTES) {
    this.readers = sends
    this.budget = budgetBytes
  }

  /**
   * The `length` bytes of `path` at `position`: the block another send of the group read, else `read()`'s (a buffer
   * of its own, kept for the others). A failed read is not kept: each send then reads for itself.
   * @throws what `read` throws
   */
  async read (path: string, position: number, length: number, read: () => Promise<Buffer>): Promise<Buffer> {
    const key = `${position}:${length}:${path}`
    const entry = this.entries.get(key)
    if (entry != null) {
      this.sharedHits++
      if (--entry.waiting <= 0) this.drop(key, entry)
      return await entry.block
    }
    this.diskReads++
    const block = read()
    if (this.readers > 1) {
      const kept: Entry = { block, bytes: length, waiting: this.readers - 1 }
      this.entries.set(key, kept)
      this.held += length
      block.catch(() => { if (this.entries.get(key) === kept) this.drop(key, kept) })
      // Oldest first: the block the slowest send is furthest from needing.
      for (const [k, e] of this.entries) {
        if (this.held <= this.budget) break
        this.drop(k, e)
      }
    }
    return await block
  }

  /**
   * A send of the group ended: later blocks are kept for one send fewer (none once one send is left). The blocks it
   * read stay for the sends that have not taken them yet — a send that ended before another one started reading (its
   * dial took longer) still saves that one every read. Blocks kept for the send that left are dropped only when the
   * budget needs room or the last send leaves: at most the budget, for the group's life.
   */
  leave (): void {
    this.readers = Math.max(0, this.readers - 1)
    if (this.readers === 0) for (const [k, e] of this.entries) this.drop(k, e)
  }

  private drop (key: string, entry: Entry): void {
    if (this.entries.get(key) !== entry) return
    this.entries.delete(key)
    this.held -= entry.bytes
  }
}
