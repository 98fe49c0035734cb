/**
 * Keeps the head and the tail of a stream up to a cap and counts the rest, so a 10 MB flood from one host costs
 * a few kilobytes of memory and of database row, and the end (where errors usually are) is still there.
 */
export class OutputCapture {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  total = 0;

  constructor(
    private readonly headCap: number,
    private readonly tailCap: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headCap) {
      const take = Math.min(this.headCap - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (!rest.length || this.tailCap === 0) return;
    this.tail.push(Buffer.from(rest));
    this.tailBytes += rest.length;
    while (this.tailBytes - this.tail[0].length >= this.tailCap) this.tailBytes -= this.tail.shift()!.length;
  }

  result(): { head: string; tail: string; omittedBytes: number; totalBytes: number } {
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailCap) tail = tail.subarray(tail.length - this.tailCap);
    const head = Buffer.concat(this.head);
    return {
      head: head.toString('utf8'),
      tail: tail.toString('utf8'),
      omittedBytes: this.total - head.length - tail.length,
      totalBytes: this.total,
    };
  }
}
