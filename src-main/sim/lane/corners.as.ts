// AssemblyScript (compiled to WebAssembly by build-corners-wasm.mjs into corners-wasm.ts; not
// part of the TypeScript build). DriverCamera.castCornersTs (camera.ts) with Road.hintAt and
// Road.projectAt (road.ts), for the camera's corner kernel (corner-kernel.ts): every product,
// sum, quotient and rounding is the TypeScript's, in its order (binaryen does not reassociate
// floating point, wasm has no fused multiply-add), so the samples are bitwise the same; a test
// compares the two over many frames. Change both together.

// Layout (byte offsets into this instance's memory), set by setLayout().
let gw: i32 = 0;
let gh: i32 = 0;
let W: i32 = 0;
let H: i32 = 0;
let focal: f64 = 0;
let off: f64 = 0;
let pS_: usize = 0;
let pD_: usize = 0;
let pT_: usize = 0;
let pX_: usize = 0;
let pY_: usize = 0;
let pE_: usize = 0;
let pF_: usize = 0;
let pV_: usize = 0;
let pHood_: usize = 0;
let pK_: usize = 0;
let pRowSky_: usize = 0;
let pRowPartial_: usize = 0;
let pRowE0_: usize = 0;
let pRowDe_: usize = 0;
let pRowBh_: usize = 0;
let pRowHood_: usize = 0;
let pUCol_: usize = 0;
let pParams_: usize = 0;

// Road (setRoad()).
let rN: i32 = 0;
let rSp: f64 = 0;
let rInvSp: f64 = 0;
let band: f64 = 0;
let pRX_: usize = 0;
let pRY_: usize = 0;
let pRTX_: usize = 0;
let pRTY_: usize = 0;
let pRK_: usize = 0;
let pGrid_: usize = 0;
let gx0: f64 = 0;
let gy0: f64 = 0;
let gnx: i32 = 0;
let gny: i32 = 0;
const CELL: f64 = 8;

// Road.projectAt's results.
let ps: f64 = 0;
let pd: f64 = 0;
let pi: i32 = 0;

const SKY: u8 = 0;
const NEAR: u8 = 1;
const FAR: u8 = 2;
const PENDING: u8 = 3;
const MAX_DEPTH: f64 = 3000;

export function setLayout(
  gw_: i32, gh_: i32, W_: i32, H_: i32, focal_: f64, off_: f64,
  s: usize, d: usize, t: usize, x: usize, y: usize, e: usize, f: usize, v: usize, hood: usize, k: usize,
  rowSky: usize, rowPartial: usize, rowE0: usize, rowDe: usize, rowBh: usize, rowHood: usize, uCol: usize, params: usize,
): void {
  gw = gw_; gh = gh_; W = W_; H = H_; focal = focal_; off = off_;
  pS_ = s; pD_ = d; pT_ = t; pX_ = x; pY_ = y; pE_ = e; pF_ = f; pV_ = v; pHood_ = hood; pK_ = k;
  pRowSky_ = rowSky; pRowPartial_ = rowPartial; pRowE0_ = rowE0; pRowDe_ = rowDe; pRowBh_ = rowBh; pRowHood_ = rowHood;
  pUCol_ = uCol; pParams_ = params;
}

export function setRoad(
  n: i32, spacing: f64, invSpacing: f64, band_: f64,
  x: usize, y: usize, tx: usize, ty: usize, k: usize,
  grid: usize, gx0_: f64, gy0_: f64, gnx_: i32, gny_: i32,
): void {
  rN = n; rSp = spacing; rInvSp = invSpacing; band = band_;
  pRX_ = x; pRY_ = y; pRTX_ = tx; pRTY_ = ty; pRK_ = k;
  pGrid_ = grid; gx0 = gx0_; gy0 = gy0_; gnx = gnx_; gny = gny_;
}

@inline function ld(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
@inline function st(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }
@inline function ldk(i: i32): u8 { return load<u8>(pK_ + <usize>i); }
@inline function stk(i: i32, v: u8): void { store<u8>(pK_ + <usize>i, v); }

/** JavaScript's Math.round (ties towards +infinity, as V8 computes it). */
@inline function jsRound(x: f64): f64 {
  let r = Math.ceil(x);
  if (r - 0.5 > x) r -= 1.0;
  return r;
}

@inline function elevation(dx: f64, dy: f64, dh: f64): f64 {
  return dh / Math.sqrt(dx * dx + dy * dy + dh * dh);
}

/** Road.hintAt for the point (x, y). */
function hintAt(x: f64, y: f64): i32 {
  const fx = (x - gx0) * (1 / CELL);
  const fy = (y - gy0) * (1 / CELL);
  if (!(fx >= 0 && fy >= 0 && fx < <f64>gnx && fy < <f64>gny)) return -1;
  return load<i32>(pGrid_ + (<usize>(<i32>fy * gnx + <i32>fx) << 2));
}

/** Road.ahead: whether (x, y) lies at or ahead of sample i along its tangent. */
@inline function ahead(x: f64, y: f64, i: i32): bool {
  return (x - ld(pRX_, i)) * ld(pRTX_, i) + (y - ld(pRY_, i)) * ld(pRTY_, i) >= 0;
}

/** Road.settleByBisection: bracket the foot point from sample i in direction dir, bisect, settle. */
function settleByBisection(x: f64, y: f64, i: i32, dir: i32): bool {
  const last = rN - 1;
  let inner = i;
  let outer = i;
  for (let w = 1; ; w *= 2) {
    let j = i + dir * w;
    if (j < 0) j = 0;
    else if (j > last) j = last;
    if (ahead(x, y, j) != (dir > 0)) {
      outer = j;
      break;
    }
    if (j == 0 || j == last) return false;
    inner = j;
  }
  let a = dir > 0 ? inner : outer;
  let b = dir > 0 ? outer : inner;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (ahead(x, y, m)) a = m;
    else b = m;
  }
  for (let c = a; c <= b; c++) {
    const ex = x - ld(pRX_, c);
    const ey = y - ld(pRY_, c);
    const tx = ld(pRTX_, c);
    const ty = ld(pRTY_, c);
    const u = ex * tx + ey * ty;
    const v = ey * tx - ex * ty;
    const k = ld(pRK_, c);
    const den = 1 - k * v;
    if (den < 0.25) return false;
    const sig = u / den;
    if (c == b || jsRound(sig * rInvSp) == 0) {
      ps = <f64>c * rSp + sig;
      pd = v - 0.5 * k * u * sig;
      pi = c;
      return true;
    }
  }
  return false;
}

/** Road.projectAt for the point (x, y) from sample `start`: sets ps, pd, pi. */
@inline function projectAt(x: f64, y: f64, start: i32): bool {
  const last = rN - 1;
  let i = start;
  for (let iter = 0; iter < 12; iter++) {
    const ex = x - ld(pRX_, i);
    const ey = y - ld(pRY_, i);
    const tx = ld(pRTX_, i);
    const ty = ld(pRTY_, i);
    const u = ex * tx + ey * ty;
    const v = ey * tx - ex * ty;
    const k = ld(pRK_, i);
    const den = 1 - k * v;
    if (den < 0.25) return false;
    const sig = u / den;
    const step = jsRound(sig * rInvSp);
    if (step == 0) {
      ps = <f64>i * rSp + sig;
      pd = v - 0.5 * k * u * sig;
      pi = i;
      return true;
    }
    if (iter == 11) return settleByBisection(x, y, i, step > 0 ? 1 : -1);
    let j = <f64>i + step;
    if (j < 0) j = 0;
    else if (j > <f64>last) j = <f64>last;
    if (<i32>j == i) return false;
    i = <i32>j;
  }
  return false;
}

/** DriverCamera.castCorners: params = [px, py, ph, F0, F1, F2, R0, R1, R2, D0, D1, D2, fogD, hint, skipUnread]. */
export function castCorners(): void {
  const P = pParams_;
  const px = load<f64>(P), py = load<f64>(P, 8), ph = load<f64>(P, 16);
  const Fx = load<f64>(P, 24), Fy = load<f64>(P, 32), Fh = load<f64>(P, 40);
  const Rx = load<f64>(P, 48), Ry = load<f64>(P, 56), Rh = load<f64>(P, 64);
  const Dx = load<f64>(P, 72), Dy = load<f64>(P, 80), Dh = load<f64>(P, 88);
  const fogD = load<f64>(P, 96);
  let rowHint = <i32>load<f64>(P, 104);
  const skipUnread = load<f64>(P, 112) != 0;
  const f = focal;
  const cx = <f64>W / 2;
  const cy = <f64>H / 2;
  const rLast = rN - 1;
  let pS: f64 = 0, pD: f64 = 0, pI: i32 = 0;
  const invPh = 1 / ph;
  for (let r = gh - 1; r >= 0; r--) {
    if (skipUnread && (r == H || load<u8>(pRowHood_ + <usize>r) != 0) && (r == 0 || load<u8>(pRowHood_ + <usize>(r - 1)) != 0)) {
      store<u8>(pRowSky_ + <usize>r, 0);
      store<u8>(pRowPartial_ + <usize>r, 0);
      continue;
    }
    const v = (<f64>r + off - cy) / f;
    const bx = Fx + v * Dx;
    const by = Fy + v * Dy;
    const bh = Fh + v * Dh;
    let last: i32 = -1;
    let firstInRow: i32 = -1;
    const base = r * gw;
    const uFirst = (off - cx) / f;
    const uLast = (<f64>(gw - 1) + off - cx) / f;
    if (bh + uFirst * Rh >= 0 && bh + uLast * Rh >= 0) {
      const e0 = elevation(bx + uFirst * Rx, by + uFirst * Ry, bh + uFirst * Rh);
      const e1 = elevation(bx + uLast * Rx, by + uLast * Ry, bh + uLast * Rh);
      const de = gw > 1 ? (e1 - e0) / <f64>(gw - 1) : 0;
      const uStep = 1 / f;
      const n = skipUnread && r + 1 < gh && load<u8>(pRowSky_ + <usize>(r + 1)) != 0 ? 2 : gw;
      for (let c = 0; c < n; c++) {
        stk(base + c, SKY);
        st(pE_, base + c, e0 + <f64>c * de);
        st(pV_, base + c, bh + (uFirst + <f64>c * uStep) * Rh);
      }
      store<u8>(pRowSky_ + <usize>r, 1);
      store<u8>(pRowPartial_ + <usize>r, n < gw ? 1 : 0);
      st(pRowE0_, r, e0);
      st(pRowDe_, r, de);
      st(pRowBh_, r, bh);
      continue;
    }
    store<u8>(pRowPartial_ + <usize>r, 0);
    store<u8>(pRowSky_ + <usize>r, 0);
    for (let c = 0; c < gw; c++) {
      const i = base + c;
      if (ld(pHood_, i) > 3) {
        stk(i, SKY);
        st(pE_, i, 0);
        continue;
      }
      const u = ld(pUCol_, c);
      const dh = bh + u * Rh;
      const dx = bx + u * Rx;
      const dy = by + u * Ry;
      st(pV_, i, dh);
      if (dh >= -1e-9) {
        stk(i, SKY);
        st(pE_, i, elevation(dx, dy, dh));
        continue;
      }
      const t = -ph / dh;
      if (t > MAX_DEPTH) {
        stk(i, FAR);
        st(pT_, i, MAX_DEPTH);
        st(pF_, i, MAX_DEPTH / (MAX_DEPTH + fogD));
        st(pX_, i, px + t * dx);
        st(pY_, i, py + t * dy);
        continue;
      }
      const x = px + t * dx;
      const y = py + t * dy;
      st(pT_, i, t);
      st(pX_, i, x);
      st(pY_, i, y);
      st(pF_, i, ph / (ph - fogD * dh));
      if ((c & 1) == 1 && last >= 0 && c + 1 < gw) {
        stk(i, PENDING);
        continue;
      }
      let ok = false;
      if (last >= 0) {
        // Coherent with the previous corner of the row: walk from its answer.
        ok = projectAt(x, y, last);
        pS = ps;
        pD = pd;
        pI = pi;
      } else {
        const g = hintAt(x, y);
        if (g < 0) {
          stk(i, FAR);
          continue;
        }
        const start = rowHint >= 0 ? rowHint : g;
        ok = projectAt(x, y, start);
        if (!ok && start != g) ok = projectAt(x, y, g);
        pS = ps;
        pD = pd;
        pI = pi;
      }
      if (last >= 0 && !(ok && pD <= band && pD >= -band)) {
        const g = hintAt(x, y);
        if (g >= 0 && (g > last + 30 || g < last - 30)) {
          ok = projectAt(x, y, g);
          pS = ps;
          pD = pd;
          pI = pi;
        }
      }
      if (ok && pD <= band && pD >= -band) {
        stk(i, NEAR);
        st(pS_, i, pS);
        st(pD_, i, pD);
        last = pI;
        if (firstInRow < 0) firstInRow = last;
      } else {
        stk(i, FAR);
        last = -1;
      }
    }
    for (let c = 1; c < gw - 1; c += 2) {
      const i = base + c;
      if (ldk(i) != PENDING) continue;
      const a = i - 1;
      const b = i + 1;
      if (ldk(a) == NEAR && ldk(b) == NEAR) {
        const lam = -0.5 * ld(pV_, b) * ld(pT_, i) * invPh;
        st(pS_, i, ld(pS_, a) + lam * (ld(pS_, b) - ld(pS_, a)));
        st(pD_, i, ld(pD_, a) + lam * (ld(pD_, b) - ld(pD_, a)));
        stk(i, NEAR);
        continue;
      }
      const x = ld(pX_, i);
      const y = ld(pY_, i);
      const g = hintAt(x, y);
      let start = g;
      if (ldk(a) == NEAR) {
        start = <i32>(ld(pS_, a) * rInvSp);
        start = start < 0 ? 0 : start > rLast - 1 ? rLast - 1 : start;
      }
      let ok = g >= 0 && projectAt(x, y, start);
      if (!ok && g >= 0 && start != g) ok = projectAt(x, y, g);
      if (ok && pd <= band && pd >= -band) {
        stk(i, NEAR);
        st(pS_, i, ps);
        st(pD_, i, pd);
      } else {
        stk(i, FAR);
      }
    }
    if (firstInRow >= 0) rowHint = firstInRow;
  }
}
