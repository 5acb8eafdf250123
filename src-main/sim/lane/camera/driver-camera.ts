/**
 * The agent's driver-view camera, rendered headless in TypeScript with no GPU: every pixel's
 * ray is cast onto the flat ground (or the sky, or the car's bonnet) and shaded from the scene
 * description (road-local s and d give asphalt, markings, verge; map x, y give grass).
 *
 * How it stays fast (~4k pixels per frame; its speed is in bench/RESULTS.md, "Lane simulator"):
 * - Rays are evaluated at pixel CORNERS, (W+1) x (H+1): direction = F + u * R + v * D is linear
 *   in the corner's (u, v), so a ray costs a few multiply-adds and one division (the fog factor
 *   t / (t + fogDistance) comes from the ray's vertical component with one more, not from t).
 * - Samples no pixel of the fast shading reads are not cast: sky rows between two sky pixel
 *   rows keep only their first two corners (the sky is linear along a row), rows between two
 *   rows of solid bonnet none (referenceShading casts every sample; a test checks that no
 *   image depends on the skipped ones).
 * - Road-local (s, d) of each ground hit comes from Road.projectAt, started from the previous
 *   corner's answer (neighbouring corners are neighbours on the road, so it settles in 0-1
 *   steps); a coarse grid answers "far from any road" in one lookup for most grass. Every
 *   other corner of a row on the road is interpolated between its neighbours (ground points
 *   of a row lie on a line, at a projective ratio known from the rays' vertical components).
 * - The corner casting runs as a WebAssembly kernel (corner-kernel.ts, compiled from the
 *   AssemblyScript corners.as.ts): castCornersTs() step for step, bitwise the same (tested),
 *   faster than V8's code for the TypeScript (no typed-array bounds checks, values kept
 *   in registers). The per-sample arrays are views into the kernel's memory, at staggered
 *   offsets modulo 4 KiB so the shading loop's reads of one index in several arrays do not
 *   compete for the same cache sets.
 * - Anti-aliasing is analytic: a pixel's footprint on the road is the [min, max] of its four
 *   corners' s and d, and every region and line is box-filtered by the overlap of that
 *   interval (dashes by the integral of the dash pattern along s). Thin distant lines fade to
 *   their true average instead of flickering. Textures fade with footprint like mipmaps.
 * - Solid bonnet pixels and sky rows of one sky-table entry are copied from template images
 *   (bytes and floats), rebuilt only when the brightness, the scene or the mount changes.
 * - Props are drawn as sprites, far to near, clipped at their base (the ground in front of
 *   a prop is nearer, the ground behind it is hidden); a prop visits only the rows above the
 *   bonnet and the columns its shape can cover.
 * - The hot loops (castCornersTs, shadeRowAA/shadeGroundRow) make no calls with float
 *   arguments (V8 boxes those when it does not inline the callee: points go to Road as array
 *   indices, the frame's brightness sits in a Float64Array) and load no properties.
 * Allocation-free after construction and setScene().
 *
 * The files of this folder, by job: state.ts (the camera's fields), load-scene.ts (a scene's
 * shading data), rays.ts (casting the samples), bonnet.ts (bonnet mask and template),
 * shade-row.ts (the fast row shading: bonnet and sky rows), ground-row.ts (its ground rows),
 * ground.ts (general box-filtered ground and mixed pixels), reference.ts (the per-pixel
 * reference shading), props.ts (sprites), constants.ts and pixel-math.ts (shared pieces).
 * They are functions of the camera's state rather than methods, called per frame or per row,
 * never per pixel where the single class did not already call.
 */
import type { LaneScene } from '../../../../src-shared/scene/lane-scene.js';
import type { Road } from '../road.js';
import { computeHood, hoodTemplate } from './bonnet.js';
import { loadScene } from './load-scene.js';
import { drawProps } from './props.js';
import { castCorners } from './rays.js';
import { shadePixels } from './reference.js';
import { shadeRowAA } from './shade-row.js';
import { CameraState } from './state.js';

export type { CameraSpecLike } from './state.js';

export class DriverCamera extends CameraState {
  /** Loads the scene's colours, markings, textures, props and lighting (once per episode). */
  setScene(scene: LaneScene, road: Road): void {
    loadScene(this, scene, road);
  }

  /**
   * Renders the frame from the current pose (px, py, ph, F, R, D, body*). `hint` is a road sample
   * index near the camera (the car's); `brightness` multiplies the image (1 = as lit).
   */
  render(hint: number, brightness = 1): Uint8Array {
    if (!this.road) throw new Error('DriverCamera.render before setScene');
    if (this.bodyDirty || !this.hoodValid) computeHood(this);
    // Passed as a field: V8 boxes float arguments of calls it does not inline.
    this.brightnessNow[0] = brightness;
    castCorners(this, hint);
    if (this.antiAlias && !this.referenceShading) {
      hoodTemplate(this, brightness);
      for (let r = 0; r < this.height; r++) shadeRowAA(this, r);
    } else shadePixels(this);
    drawProps(this, hint);
    return this.frame;
  }
}
