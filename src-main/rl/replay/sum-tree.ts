/**
 * A sum tree (and a min tree beside it) over `capacity` non-negative leaf values: set a leaf in
 * O(log n), the total and the smallest positive leaf in O(1), and find the leaf where a prefix sum
 * falls in O(log n). Prioritized replay keeps p_i^alpha per slot here (Schaul et al. 2016,
 * appendix B.2.1). Leaves are a power-of-two row at the bottom of a heap-ordered array; sums are
 * float64. Zero leaves (empty slots) are never found and do not count in the minimum.
 */
export class SumTree {
  /** Leaves (a power of two >= capacity). */
  readonly size: number;
  private readonly sums: Float64Array;
  private readonly mins: Float64Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('SumTree capacity must be a positive integer');
    let size = 1;
    while (size < capacity) size *= 2;
    this.size = size;
    this.sums = new Float64Array(2 * size);
    this.mins = new Float64Array(2 * size).fill(Infinity);
  }

  /** Sum of every leaf. */
  get total(): number {
    return this.sums[1]!;
  }

  /** Smallest positive leaf (Infinity when every leaf is 0). */
  get min(): number {
    return this.mins[1]!;
  }

  get(i: number): number {
    return this.sums[this.size + i]!;
  }

  /** Sets leaf i to `value` (>= 0, finite) and updates the sums and minima above it. */
  set(i: number, value: number): void {
    if (!(i >= 0 && i < this.capacity)) throw new Error(`SumTree: leaf ${i} out of range`);
    if (!(value >= 0 && Number.isFinite(value))) throw new Error(`SumTree: leaf value must be finite and >= 0 (got ${value})`);
    let k = this.size + i;
    this.sums[k] = value;
    this.mins[k] = value > 0 ? value : Infinity;
    for (k >>= 1; k >= 1; k >>= 1) {
      this.sums[k] = this.sums[2 * k]! + this.sums[2 * k + 1]!;
      this.mins[k] = Math.min(this.mins[2 * k]!, this.mins[2 * k + 1]!);
    }
  }

  /**
   * The leaf i with sum(leaves < i) <= mass < sum(leaves <= i), for 0 <= mass < total; never a
   * zero leaf (rounding at a boundary moves to the nearest positive leaf on the way down).
   */
  find(mass: number): number {
    if (!(this.total > 0)) throw new Error('SumTree: cannot sample, every leaf is 0');
    let m = Math.min(Math.max(mass, 0), this.total);
    let k = 1;
    while (k < this.size) {
      const left = 2 * k;
      const l = this.sums[left]!;
      if (m < l || this.sums[left + 1]! <= 0) k = left;
      else {
        m -= l;
        k = left + 1;
      }
    }
    return k - this.size;
  }

  /** Leaf values 0..capacity-1 (checkpoints). */
  leaves(): Float64Array {
    return this.sums.slice(this.size, this.size + this.capacity);
  }

  /** Sets every leaf (checkpoints); rebuilds the inner nodes. */
  setLeaves(values: ArrayLike<number>): void {
    if (values.length !== this.capacity) throw new Error(`SumTree: expected ${this.capacity} leaves, got ${values.length}`);
    this.sums.fill(0);
    this.mins.fill(Infinity);
    for (let i = 0; i < this.capacity; i++) {
      const v = values[i]!;
      this.sums[this.size + i] = v;
      this.mins[this.size + i] = v > 0 ? v : Infinity;
    }
    for (let k = this.size - 1; k >= 1; k--) {
      this.sums[k] = this.sums[2 * k]! + this.sums[2 * k + 1]!;
      this.mins[k] = Math.min(this.mins[2 * k]!, this.mins[2 * k + 1]!);
    }
  }
}
