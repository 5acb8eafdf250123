/**
 * The categorical projection of C51 (Bellemare et al. 2017, Algorithm 1): the target
 * distribution of a transition puts the probability p_j of each next-state atom z_j on the
 * shifted atom T z_j = clip(r + discount * z_j, vMin, vMax), split between the two neighbouring
 * support atoms in proportion to closeness:
 *   b = (T z_j - vMin) / dz,  l = floor(b), u = ceil(b);
 *   m_l += p_j (u - b),  m_u += p_j (b - l)   (all of p_j to m_l when b is an atom, l = u).
 * `discount` is gamma^k (1 - terminated) per sample (n-step returns, terminal states).
 */

/** The support z_j = vMin + j (vMax - vMin) / (atoms - 1). */
export function support(atoms: number, vMin: number, vMax: number): Float32Array {
  const dz = (vMax - vMin) / (atoms - 1);
  return Float32Array.from({ length: atoms }, (_, j) => vMin + j * dz);
}

/**
 * Projects `size` next-state distributions `next` [size * atoms] through r + discount * z onto
 * the support, into `out` [size * atoms] (overwritten). Sums in float64.
 */
export function projectDistribution(
  next: ArrayLike<number>,
  rewards: ArrayLike<number>,
  discounts: ArrayLike<number>,
  size: number,
  atoms: number,
  vMin: number,
  vMax: number,
  out: Float32Array,
): Float32Array {
  const dz = (vMax - vMin) / (atoms - 1);
  const m = new Float64Array(atoms);
  for (let i = 0; i < size; i++) {
    m.fill(0);
    const r = rewards[i]!;
    const d = discounts[i]!;
    for (let j = 0; j < atoms; j++) {
      const p = next[i * atoms + j]!;
      const tz = Math.min(vMax, Math.max(vMin, r + d * (vMin + j * dz)));
      const b = (tz - vMin) / dz;
      const l = Math.floor(b);
      const u = Math.ceil(b);
      if (l === u) m[l]! += p;
      else {
        m[l]! += p * (u - b);
        m[u]! += p * (b - l);
      }
    }
    for (let j = 0; j < atoms; j++) out[i * atoms + j] = m[j]!;
  }
  return out;
}
