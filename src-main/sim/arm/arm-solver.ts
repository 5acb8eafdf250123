/**
 * The arm's constraint solver: cannon-es's Gauss-Seidel (GSSolver.solve: same SPOOK equations,
 * order, clamping and early exit), split into two islands with their own iteration counts. The
 * arm's equations (hinges, motors, limits and any contact of a link) get `contactIterations` in
 * steps where a link touches something (a motor pressing a link into the table loads the whole
 * chain) and `freeIterations` otherwise; the rest (the cube resting on the table) gets
 * `restIterations` (a resting cube walks 3.5 mm in 100 s with 10, 0.01 mm with 20). A body the
 * arm touches joins the arm's island. Islands share no moving body, so solving them apart
 * changes nothing but the iteration counts, and the work goes where it is needed.
 * (Tried and dropped: alternating backward sweeps, which made hinges and the cube worse.)
 * Every choice depends on the state only, so runs stay deterministic.
 */
import { BODY_TYPES, Solver, Vec3, type Body, type Equation, type World } from 'cannon-es';

const armEqs: Equation[] = [];
const restEqs: Equation[] = [];
const TOLERANCE_SQUARED = 1e-14;

export class ArmSolver extends Solver {
  /** Iterations used in the last step by the arm's island (for tests and benchmarks). */
  lastArmIterations = 0;

  constructor(
    /** Whether a body belongs to the arm (its island is solved with the arm's iterations). */
    private readonly isArm: (body: Body) => boolean,
    private readonly freeIterations: number,
    private readonly contactIterations: number,
    private readonly restIterations: number,
  ) {
    super();
  }

  override solve(dt: number, world: World): number {
    const equations = this.equations;
    const n = equations.length;
    if (n === 0) return 0;
    const isArm = this.isArm;
    // Does a link touch anything? Which other bodies touch the arm (they join its island)?
    let touching = false;
    const contacts = world.contacts;
    for (let i = 0; i < contacts.length; i++) {
      const c = contacts[i]!;
      if (isArm(c.bi) || isArm(c.bj)) {
        touching = true;
        break;
      }
    }
    armEqs.length = 0;
    restEqs.length = 0;
    for (let i = 0; i < n; i++) {
      const eq = equations[i]!;
      if (isArm(eq.bi) || isArm(eq.bj)) armEqs.push(eq);
      else restEqs.push(eq);
    }
    if (touching) {
      // A body touching the arm (the cube) joins the arm's island with all its equations.
      for (let i = restEqs.length - 1; i >= 0; i--) {
        const eq = restEqs[i]!;
        if (touchesArm(eq.bi, armEqs, isArm) || touchesArm(eq.bj, armEqs, isArm)) {
          armEqs.push(eq);
          restEqs.splice(i, 1);
        }
      }
    }

    const bodies = world.bodies;
    for (let i = 0; i !== bodies.length; i++) {
      const b = bodies[i]!;
      b.updateSolveMassProperties();
      b.vlambda.set(0, 0, 0);
      b.wlambda.set(0, 0, 0);
    }
    this.lastArmIterations = touching ? this.contactIterations : this.freeIterations;
    gaussSeidel(armEqs, this.lastArmIterations, dt, bodies);
    gaussSeidel(restEqs, this.restIterations, dt, bodies);

    for (let i = 0; i !== bodies.length; i++) {
      const b = bodies[i]!;
      b.vlambda.vmul(b.linearFactor, b.vlambda);
      b.velocity.vadd(b.vlambda, b.velocity);
      b.wlambda.vmul(b.angularFactor, b.wlambda);
      b.angularVelocity.vadd(b.wlambda, b.angularVelocity);
    }
    return this.lastArmIterations;
  }
}

/** True when a non-arm dynamic body shares a contact with the arm (its equations are in armEqs). */
function touchesArm(body: Body, arm: Equation[], isArm: (b: Body) => boolean): boolean {
  if (body.mass === 0 || isArm(body)) return false;
  for (let i = 0; i < arm.length; i++) {
    const eq = arm[i]!;
    if ((eq.bi === body && isArm(eq.bj)) || (eq.bj === body && isArm(eq.bi))) return true;
  }
  return false;
}

/**
 * cannon-es's GSSolver iterations over `eqs` (same SPOOK right-hand side, order, clamping and
 * early exit), on flat arrays: each equation's Jacobian J and M^-1 J^T are gathered once per
 * step, so an iteration is two 12-element dot/axpy passes instead of cannon-es's per-iteration
 * matrix-vector products (the result differs from cannon-es's in rounding only).
 * Writes the accumulated velocity changes into the bodies' vlambda/wlambda.
 */
function gaussSeidel(eqs: Equation[], iterations: number, h: number, bodies: Body[]): void {
  const n = eqs.length;
  if (n === 0) return;
  ensureCapacity(n, bodies.length);
  const J = jac;
  const D = minvJt;
  const V = vel;
  const lambda = lambdaBuf;
  const invCs = invCBuf;
  const Bs = bBuf;
  const eps = epsBuf;
  const minF = minBuf;
  const maxF = maxBuf;
  const bodyI = bodyIBuf;
  const bodyJ = bodyJBuf;
  for (let i = 0; i !== n; i++) {
    const c = eqs[i]!;
    lambda[i] = 0;
    // computeB also sets the Jacobian. Subclasses take the step only (the typings name three).
    Bs[i] = (c as unknown as { computeB(h: number): number }).computeB(h);
    invCs[i] = 1 / c.computeC();
    eps[i] = c.eps;
    minF[i] = c.minForce;
    maxF[i] = c.maxForce;
    const bi = c.bi;
    const bj = c.bj;
    bodyI[i] = bi.index;
    bodyJ[i] = bj.index;
    const o = 12 * i;
    const GA = c.jacobianElementA;
    const GB = c.jacobianElementB;
    gather(J, o, GA.spatial, GA.rotational, GB.spatial, GB.rotational);
    const mi = bi.invMassSolve;
    const mj = bj.invMassSolve;
    D[o] = mi * GA.spatial.x;
    D[o + 1] = mi * GA.spatial.y;
    D[o + 2] = mi * GA.spatial.z;
    bi.invInertiaWorldSolve.vmult(GA.rotational, tmp);
    D[o + 3] = tmp.x;
    D[o + 4] = tmp.y;
    D[o + 5] = tmp.z;
    D[o + 6] = mj * GB.spatial.x;
    D[o + 7] = mj * GB.spatial.y;
    D[o + 8] = mj * GB.spatial.z;
    bj.invInertiaWorldSolve.vmult(GB.rotational, tmp);
    D[o + 9] = tmp.x;
    D[o + 10] = tmp.y;
    D[o + 11] = tmp.z;
  }
  // Velocity changes of this island's bodies (6 per body index), from zero.
  for (let i = 0; i !== n; i++) {
    V.fill(0, 6 * bodyI[i]!, 6 * bodyI[i]! + 6);
    V.fill(0, 6 * bodyJ[i]!, 6 * bodyJ[i]! + 6);
  }
  for (let iter = 0; iter !== iterations; iter++) {
    let total = 0;
    for (let j = 0; j !== n; j++) {
      const o = 12 * j;
      const a = 6 * bodyI[j]!;
      const b = 6 * bodyJ[j]!;
      const GWlambda =
        J[o]! * V[a]! +
        J[o + 1]! * V[a + 1]! +
        J[o + 2]! * V[a + 2]! +
        J[o + 3]! * V[a + 3]! +
        J[o + 4]! * V[a + 4]! +
        J[o + 5]! * V[a + 5]! +
        J[o + 6]! * V[b]! +
        J[o + 7]! * V[b + 1]! +
        J[o + 8]! * V[b + 2]! +
        J[o + 9]! * V[b + 3]! +
        J[o + 10]! * V[b + 4]! +
        J[o + 11]! * V[b + 5]!;
      const lambdaj = lambda[j]!;
      let d = invCs[j]! * (Bs[j]! - GWlambda - eps[j]! * lambdaj);
      if (lambdaj + d < minF[j]!) d = minF[j]! - lambdaj;
      else if (lambdaj + d > maxF[j]!) d = maxF[j]! - lambdaj;
      lambda[j] = lambdaj + d;
      total += d > 0 ? d : -d;
      V[a] = V[a]! + d * D[o]!;
      V[a + 1] = V[a + 1]! + d * D[o + 1]!;
      V[a + 2] = V[a + 2]! + d * D[o + 2]!;
      V[a + 3] = V[a + 3]! + d * D[o + 3]!;
      V[a + 4] = V[a + 4]! + d * D[o + 4]!;
      V[a + 5] = V[a + 5]! + d * D[o + 5]!;
      V[b] = V[b]! + d * D[o + 6]!;
      V[b + 1] = V[b + 1]! + d * D[o + 7]!;
      V[b + 2] = V[b + 2]! + d * D[o + 8]!;
      V[b + 3] = V[b + 3]! + d * D[o + 9]!;
      V[b + 4] = V[b + 4]! + d * D[o + 10]!;
      V[b + 5] = V[b + 5]! + d * D[o + 11]!;
    }
    // cannon-es's early exit (tolerance 1e-7 on the summed impulse change).
    if (total * total < TOLERANCE_SQUARED) break;
  }
  const invDt = 1 / h;
  for (let i = 0; i !== n; i++) {
    eqs[i]!.multiplier = lambda[i]! * invDt;
    writeBack(bodies[bodyI[i]!]!, V);
    writeBack(bodies[bodyJ[i]!]!, V);
  }
}

function writeBack(body: Body, V: Float64Array): void {
  if (body.type !== BODY_TYPES.DYNAMIC) return;
  const k = 6 * body.index;
  body.vlambda.set(V[k]!, V[k + 1]!, V[k + 2]!);
  body.wlambda.set(V[k + 3]!, V[k + 4]!, V[k + 5]!);
}

function gather(out: Float64Array, o: number, a: Vec3, b: Vec3, c: Vec3, d: Vec3): void {
  out[o] = a.x;
  out[o + 1] = a.y;
  out[o + 2] = a.z;
  out[o + 3] = b.x;
  out[o + 4] = b.y;
  out[o + 5] = b.z;
  out[o + 6] = c.x;
  out[o + 7] = c.y;
  out[o + 8] = c.z;
  out[o + 9] = d.x;
  out[o + 10] = d.y;
  out[o + 11] = d.z;
}

// Flat scratch, grown on demand (module scope: one solve at a time per thread).
let capacity = 0;
let lambdaBuf = new Float64Array(0);
let invCBuf = new Float64Array(0);
let bBuf = new Float64Array(0);
let epsBuf = new Float64Array(0);
let minBuf = new Float64Array(0);
let maxBuf = new Float64Array(0);
let bodyIBuf = new Int32Array(0);
let bodyJBuf = new Int32Array(0);
let jac = new Float64Array(0);
let minvJt = new Float64Array(0);
let vel = new Float64Array(0);
const tmp = new Vec3();

function ensureCapacity(n: number, nBodies: number): void {
  if (vel.length < 6 * nBodies) vel = new Float64Array(6 * nBodies);
  if (n <= capacity) return;
  capacity = Math.max(n, 2 * capacity, 64);
  lambdaBuf = new Float64Array(capacity);
  invCBuf = new Float64Array(capacity);
  bBuf = new Float64Array(capacity);
  epsBuf = new Float64Array(capacity);
  minBuf = new Float64Array(capacity);
  maxBuf = new Float64Array(capacity);
  bodyIBuf = new Int32Array(capacity);
  bodyJBuf = new Int32Array(capacity);
  jac = new Float64Array(12 * capacity);
  minvJt = new Float64Array(12 * capacity);
}
