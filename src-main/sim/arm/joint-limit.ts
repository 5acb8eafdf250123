/**
 * A one-sided joint-limit constraint for a cannon-es hinge (cannon-es hinges have no limits).
 * It keeps the gap g (rad) to one limit non-negative: for the lower limit g = angle - lower,
 * for the upper limit g = upper - angle; its Jacobian is +-(w_child - w_parent) . axis.
 * Like a contact it may only push (impulse >= 0) and acts speculatively: with a positive gap
 * it stops the joint exactly at the limit when it would otherwise cross it within one step.
 *
 * The owner (ArmWorld) writes `gap` and `axis` (world frame, parent's hinge axis) before each
 * physics step and enables the equation only near the limit.
 */
import { Equation, Vec3, type Body } from 'cannon-es';

export class JointLimitEquation extends Equation {
  /** Distance to the limit (rad); negative when past it. */
  gap = 0;
  /** The hinge axis in world coordinates (unit). */
  readonly axis = new Vec3(0, 0, 1);

  /**
   * @param side +1 for the lower limit (pushes the angle up), -1 for the upper limit.
   * @param maxImpulse impulse bound per step (N m s).
   */
  constructor(
    parent: Body,
    child: Body,
    readonly side: 1 | -1,
    maxImpulse: number,
  ) {
    super(parent, child, 0, maxImpulse);
    this.enabled = false;
  }

  /** cannon-es calls computeB(h) with the step only (the typings name three parameters). */
  override computeB(h: number): number {
    const GA = this.jacobianElementA;
    const GB = this.jacobianElementB;
    const s = this.side;
    GA.spatial.set(0, 0, 0);
    GB.spatial.set(0, 0, 0);
    GA.rotational.set(-s * this.axis.x, -s * this.axis.y, -s * this.axis.z);
    GB.rotational.set(s * this.axis.x, s * this.axis.y, s * this.axis.z);
    const GW = this.computeGW();
    const GiMf = this.computeGiMf();
    return -this.gap * this.a - GW * this.b - h * GiMf;
  }
}
