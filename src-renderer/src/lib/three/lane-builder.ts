/**
 * The lane scene in three.js, built from the same LaneScene description the agent's headless
 * camera shades (src-main/sim/lane/camera/), so the 3D view shows the road the agent sees:
 *
 * - Ground (grass, verge, asphalt, tyre tracks, painted lines) uses unlit materials whose
 *   colours and noise textures are baked exactly as the camera computes them: base colour x
 *   (1 + amplitude x noise) x (ambient + sun x sin(elevation)) x tint, in sRGB; the same noise
 *   tiles (makeNoiseTile), texel sizes and (s, d) / map mappings; the same dash patterns.
 * - Fog follows the camera's formula: fade = distance / (distance + fogDistance) towards the
 *   horizon colour (see installLaneFog); the sky is the same horizon-to-zenith gradient.
 * - Props (trees, bushes, poles, posts, signs) are lit 3D shapes (instanced per kind); the sun
 *   is a directional light from the scene's azimuth and elevation.
 *
 * World frame: y up, world = (x_map, height, -y_map) (src-shared/scene/frames.ts).
 */
import * as THREE from 'three';
import type { LaneProp, LaneScene, NoiseTexture, Rgb } from '../../../../src-shared/scene/lane-scene';
import { dashIntegral, makeNoiseTile } from '../../../../src-shared/scene/texture';

const TILE = 64;

/** Anisotropic filtering of the ground textures (1 = off; software WebGL pays dearly for it). */
let textureAnisotropy = 4;
export function setTextureAnisotropy(n: number): void {
  textureAnisotropy = n;
}

/** Lighting factor the agent's camera applies to ground colours. */
export function groundLight(scene: LaneScene): number {
  const L = scene.lighting;
  return L.ambient + L.sunIntensity * Math.max(0, Math.sin(L.sunElevation));
}

/** A tileable texture: base x (1 + amp x noise) x light x tint, as the camera shades it. */
function noiseTexture(base: Rgb, tex: NoiseTexture, light: number, tint: Rgb): THREE.DataTexture {
  const noise = makeNoiseTile(tex.seed, TILE);
  const data = new Uint8Array(TILE * TILE * 4);
  for (let i = 0; i < TILE * TILE; i++) {
    const k = (1 + tex.amplitude * noise[i]!) * light;
    data[4 * i] = Math.round(255 * Math.min(1, base[0] * k * tint[0]));
    data[4 * i + 1] = Math.round(255 * Math.min(1, base[1] * k * tint[1]));
    data[4 * i + 2] = Math.round(255 * Math.min(1, base[2] * k * tint[2]));
    data[4 * i + 3] = 255;
  }
  const t = new THREE.DataTexture(data, TILE, TILE, THREE.RGBAFormat);
  t.colorSpace = THREE.SRGBColorSpace;
  t.wrapS = t.wrapT = THREE.RepeatWrapping;
  t.magFilter = THREE.LinearFilter;
  t.minFilter = THREE.LinearMipmapLinearFilter;
  t.generateMipmaps = true;
  t.anisotropy = textureAnisotropy;
  t.needsUpdate = true;
  return t;
}

function litColour(c: Rgb, light: number, tint: Rgb): THREE.Color {
  return new THREE.Color().setRGB(
    Math.min(1, c[0] * light * tint[0]),
    Math.min(1, c[1] * light * tint[1]),
    Math.min(1, c[2] * light * tint[2]),
    THREE.SRGBColorSpace,
  );
}

/** Map point and heading of the centreline at s (linear between the 1 m samples). */
export class RoadSampler {
  private readonly n: number;
  constructor(private readonly road: LaneScene['road']) {
    this.n = road.x.length;
  }

  /** Writes [x, y, heading] of the point at (s, d) in the map. */
  at(s: number, d: number, out: [number, number, number]): [number, number, number] {
    const r = this.road;
    const f = Math.max(0, Math.min(this.n - 1.000001, s / r.spacing));
    const i = Math.floor(f);
    const t = f - i;
    const x = r.x[i]! + (r.x[i + 1]! - r.x[i]!) * t;
    const y = r.y[i]! + (r.y[i + 1]! - r.y[i]!) * t;
    const h = r.heading[i]! + (r.heading[i + 1]! - r.heading[i]!) * t;
    out[0] = x - d * Math.sin(h);
    out[1] = y + d * Math.cos(h);
    out[2] = h;
    return out;
  }

  get length(): number {
    return this.road.length;
  }
}

const tmp3: [number, number, number] = [0, 0, 0];

/**
 * A strip along the road between offsets d0 < d1, from s0 to s1, sampled every `ds` metres.
 * UVs: (s, d) divided by `uvScale` (metres per texture repeat; 0 = none).
 */
function strip(
  road: RoadSampler,
  s0: number,
  s1: number,
  d0: number,
  d1: number,
  h: number,
  ds: number,
  uvScale: number,
  out: { pos: number[]; uv: number[]; idx: number[] },
): void {
  const n = Math.max(1, Math.ceil((s1 - s0) / ds));
  const base = out.pos.length / 3;
  for (let k = 0; k <= n; k++) {
    const s = Math.min(s1, s0 + k * ds);
    for (const d of [d0, d1]) {
      road.at(s, d, tmp3);
      out.pos.push(tmp3[0], h, -tmp3[1]);
      if (uvScale > 0) out.uv.push(s / uvScale, d / uvScale);
      else out.uv.push(0, 0);
    }
    if (k < n) {
      const a = base + 2 * k;
      // Counter-clockwise seen from above (+y): right edge (d0), left edge (d1).
      out.idx.push(a, a + 2, a + 1, a + 1, a + 2, a + 3);
    }
  }
}

function geometry(g: { pos: number[]; uv: number[]; idx: number[] }): THREE.BufferGeometry {
  const geo = new THREE.BufferGeometry();
  geo.setAttribute('position', new THREE.Float32BufferAttribute(g.pos, 3));
  geo.setAttribute('uv', new THREE.Float32BufferAttribute(g.uv, 2));
  geo.setIndex(g.idx);
  geo.computeBoundingSphere();
  return geo;
}

const empty = () => ({ pos: [] as number[], uv: [] as number[], idx: [] as number[] });

/** An unlit ground layer drawn above the layers below it (polygon offset by `layer`). */
function groundMaterial(opts: { map?: THREE.Texture; color?: THREE.Color; layer: number; opacity?: number }): THREE.MeshBasicMaterial {
  const m = new THREE.MeshBasicMaterial({
    ...(opts.map ? { map: opts.map } : {}),
    color: opts.color ?? new THREE.Color(1, 1, 1),
    fog: true,
    polygonOffset: true,
    polygonOffsetFactor: -opts.layer,
    polygonOffsetUnits: -4 * opts.layer,
    transparent: opts.opacity !== undefined && opts.opacity < 1,
    opacity: opts.opacity ?? 1,
    depthWrite: opts.opacity === undefined || opts.opacity >= 1,
  });
  return m;
}

/** The fog formula of the agent's camera: fade = depth / (depth + fogDistance), fogDistance in Fog.near. */
export function installLaneFog(): void {
  const chunk = THREE.ShaderChunk as unknown as Record<string, string>;
  if (chunk.fog_fragment!.includes('drive-lab')) return;
  chunk.fog_fragment = `
#ifdef USE_FOG
  // drive-lab: the agent camera's haze, fade = d / (d + fogDistance)
  #ifdef FOG_EXP2
    float fogFactor = 1.0 - exp( - fogDensity * fogDensity * vFogDepth * vFogDepth );
  #else
    float fogFactor = vFogDepth / ( vFogDepth + fogNear );
  #endif
  gl_FragColor.rgb = mix( gl_FragColor.rgb, fogColor, fogFactor );
#endif
`;
}

/**
 * Materials shared by every road the view builds: swapping roads (a new episode) then changes
 * textures and colours, never shaders (compiling shaders is slow, very slow in software WebGL).
 */
export class LaneMaterials {
  readonly grass = groundMaterial({ layer: 0, map: placeholderTexture() });
  readonly verge = groundMaterial({ layer: 1, map: placeholderTexture() });
  readonly asphalt = groundMaterial({ layer: 2, map: placeholderTexture() });
  readonly tyres = groundMaterial({ color: new THREE.Color(0, 0, 0), layer: 3, opacity: 0.1 });
  private readonly markings: THREE.MeshBasicMaterial[] = [];
  readonly props = new THREE.MeshLambertMaterial({ color: 0xffffff });
  readonly sky = new THREE.MeshBasicMaterial({ vertexColors: true, side: THREE.BackSide, fog: false, depthWrite: false });

  marking(i: number): THREE.MeshBasicMaterial {
    while (this.markings.length <= i) this.markings.push(groundMaterial({ color: new THREE.Color(1, 1, 1), layer: 4 }));
    return this.markings[i]!;
  }

  dispose(): void {
    for (const m of [this.grass, this.verge, this.asphalt, this.tyres, ...this.markings, this.props, this.sky]) m.dispose();
  }
}

function placeholderTexture(): THREE.DataTexture {
  const t = new THREE.DataTexture(new Uint8Array([128, 128, 128, 255]), 1, 1, THREE.RGBAFormat);
  t.colorSpace = THREE.SRGBColorSpace;
  t.needsUpdate = true;
  return t;
}

export interface LaneScene3D {
  root: THREE.Group;
  fog: THREE.Fog;
  background: THREE.Color;
  road: RoadSampler;
  /** The sun, for shadows-free lighting of the car and props. */
  lights: THREE.Light[];
  dispose(): void;
}

export function buildLaneScene3D(scene: LaneScene, mats: LaneMaterials): LaneScene3D {
  installLaneFog();
  const root = new THREE.Group();
  root.name = `lane-${scene.seed}`;
  const road = new RoadSampler(scene.road);
  const L = scene.lighting;
  const light = groundLight(scene);
  const tint = L.tint;
  const cross = scene.cross;
  const surf = scene.surface;
  const len = scene.road.length;
  const disposables: Array<{ dispose(): void }> = [];
  const add = (geo: THREE.BufferGeometry, mat: THREE.Material, order: number) => {
    const mesh = new THREE.Mesh(geo, mat);
    mesh.renderOrder = order;
    root.add(mesh);
    disposables.push(geo);
    return mesh;
  };

  // Grass: one large plane, textured by map position as the camera does.
  const xs = scene.road.x;
  const ys = scene.road.y;
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    minX = Math.min(minX, xs[i]!);
    maxX = Math.max(maxX, xs[i]!);
    minY = Math.min(minY, ys[i]!);
    maxY = Math.max(maxY, ys[i]!);
  }
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const half = Math.max(maxX - minX, maxY - minY) / 2 + 2500;
  const grassTex = noiseTexture(surf.grass, surf.grassTexture, light, tint);
  disposables.push(grassTex);
  const gScale = surf.grassTexture.texel * TILE;
  const grassGeo = new THREE.BufferGeometry();
  const gp = [cx - half, cy - half, cx + half, cy - half, cx + half, cy + half, cx - half, cy + half];
  grassGeo.setAttribute(
    'position',
    new THREE.Float32BufferAttribute([gp[0]!, -0.02, -gp[1]!, gp[2]!, -0.02, -gp[3]!, gp[4]!, -0.02, -gp[5]!, gp[6]!, -0.02, -gp[7]!], 3),
  );
  grassGeo.setAttribute(
    'uv',
    new THREE.Float32BufferAttribute(
      [gp[0]! / gScale, gp[1]! / gScale, gp[2]! / gScale, gp[3]! / gScale, gp[4]! / gScale, gp[5]! / gScale, gp[6]! / gScale, gp[7]! / gScale],
      2,
    ),
  );
  grassGeo.setIndex([0, 1, 2, 0, 2, 3]);
  mats.grass.map = grassTex;
  add(grassGeo, mats.grass, 0);

  // Verges, asphalt and tyre tracks: strips along the road, textured by (s, d).
  const vergeTex = noiseTexture(surf.verge, surf.vergeTexture, light, tint);
  disposables.push(vergeTex);
  const vg = empty();
  strip(road, 0, len, cross.vergeRight, cross.asphaltRight, 0, 1, surf.vergeTexture.texel * TILE, vg);
  strip(road, 0, len, cross.asphaltLeft, cross.vergeLeft, 0, 1, surf.vergeTexture.texel * TILE, vg);
  mats.verge.map = vergeTex;
  add(geometry(vg), mats.verge, 1);

  const asphaltTex = noiseTexture(surf.asphalt, surf.asphaltTexture, light, tint);
  disposables.push(asphaltTex);
  const ag = empty();
  strip(road, 0, len, cross.asphaltRight, cross.asphaltLeft, 0, 1, surf.asphaltTexture.texel * TILE, ag);
  // The camera maps asphalt texels as (row = d, column = s): swap to (u = s, v = d) is what strip writes.
  mats.asphalt.map = asphaltTex;
  add(geometry(ag), mats.asphalt, 2);

  if (surf.tyreTracks > 0.005) {
    const tg = empty();
    for (let lane = 0; lane < cross.laneCount; lane++) {
      for (const side of [-0.8, 0.8]) {
        const c = lane * cross.laneWidth + side;
        strip(road, 0, len, c - 0.3, c + 0.3, 0, 1, 0, tg);
      }
    }
    mats.tyres.opacity = surf.tyreTracks;
    add(geometry(tg), mats.tyres, 3);
  }

  // Painted lines, dashes where the camera has them (same length, period and phase).
  scene.markings.forEach((m, mi) => {
    const g = empty();
    const d0 = m.offset - m.width / 2;
    const d1 = m.offset + m.width / 2;
    if (!m.dash) strip(road, 0, len, d0, d1, 0, 1, 0, g);
    else {
      const { length: dl, period, phase } = m.dash;
      const first = phase - Math.ceil(phase / period) * period;
      for (let a = first; a < len; a += period) {
        const s0 = Math.max(0, a);
        const s1 = Math.min(len, a + dl);
        if (s1 - s0 > 0.01 && dashIntegral(s1, dl, period, phase) - dashIntegral(s0, dl, period, phase) > 0.01) strip(road, s0, s1, d0, d1, 0, 0.75, 0, g);
      }
    }
    const mat = mats.marking(mi);
    mat.color.copy(litColour(m.color, light, tint));
    add(geometry(g), mat, 4);
  });

  // Props: instanced lit shapes.
  addProps(root, scene.props, disposables, mats.props);

  // Sun and ambient light (three's physically based units: x PI to match the camera's factors).
  const sunDir = new THREE.Vector3(
    Math.cos(L.sunElevation) * Math.cos(L.sunAzimuth),
    Math.sin(L.sunElevation),
    -Math.cos(L.sunElevation) * Math.sin(L.sunAzimuth),
  );
  const tintColour = new THREE.Color().setRGB(tint[0], tint[1], tint[2], THREE.SRGBColorSpace);
  const sun = new THREE.DirectionalLight(tintColour, L.sunIntensity * Math.PI);
  sun.position.copy(sunDir).multiplyScalar(100);
  const ambient = new THREE.HemisphereLight(
    new THREE.Color().setRGB(...scene.sky.zenith, THREE.SRGBColorSpace),
    new THREE.Color().setRGB(...surf.grass, THREE.SRGBColorSpace),
    L.ambient * Math.PI,
  );
  root.add(sun, sun.target, ambient);

  // Sky: a dome with the camera's horizon-to-zenith gradient (no fog on it).
  const skyGeo = new THREE.SphereGeometry(4000, 32, 16, 0, Math.PI * 2, 0, Math.PI / 2 + 0.05);
  const colours: number[] = [];
  const pos = skyGeo.getAttribute('position');
  const zen = new THREE.Color().setRGB(...scene.sky.zenith, THREE.SRGBColorSpace);
  const hor = new THREE.Color().setRGB(...scene.sky.horizon, THREE.SRGBColorSpace);
  const c = new THREE.Color();
  for (let i = 0; i < pos.count; i++) {
    const t = Math.max(0, pos.getY(i) / 4000);
    const w = t * (2 - t);
    c.copy(hor).lerp(zen, w);
    colours.push(c.r, c.g, c.b);
  }
  skyGeo.setAttribute('color', new THREE.Float32BufferAttribute(colours, 3));
  const sky = new THREE.Mesh(skyGeo, mats.sky);
  sky.name = 'sky';
  sky.renderOrder = -1;
  sky.frustumCulled = false;
  root.add(sky);
  disposables.push(skyGeo);

  const fog = new THREE.Fog(hor.clone(), scene.sky.fogDistance, 1e9);
  return {
    root,
    fog,
    background: hor.clone(),
    road,
    lights: [sun, ambient],
    dispose() {
      for (const d of disposables) d.dispose();
    },
  };
}

function addProps(root: THREE.Group, props: readonly LaneProp[], disposables: Array<{ dispose(): void }>, mat: THREE.MeshLambertMaterial): void {
  const byKind = new Map<string, LaneProp[]>();
  for (const p of props) {
    const list = byKind.get(p.kind) ?? [];
    list.push(p);
    byKind.set(p.kind, list);
  }
  const m4 = new THREE.Matrix4();
  const q = new THREE.Quaternion();
  const v = new THREE.Vector3();
  const sc = new THREE.Vector3();
  const col = new THREE.Color();
  /** One instanced part per kind: unit geometry, placed and scaled per prop. */
  const part = (
    list: LaneProp[],
    geo: THREE.BufferGeometry,
    place: (p: LaneProp, pos: THREE.Vector3, scale: THREE.Vector3) => void,
    colour: (p: LaneProp) => Rgb,
  ) => {
    const mesh = new THREE.InstancedMesh(geo, mat, list.length);
    list.forEach((p, i) => {
      place(p, v, sc);
      m4.compose(v, q, sc);
      mesh.setMatrixAt(i, m4);
      const c = colour(p);
      mesh.setColorAt(i, col.setRGB(c[0], c[1], c[2], THREE.SRGBColorSpace));
    });
    mesh.instanceMatrix.needsUpdate = true;
    if (mesh.instanceColor) mesh.instanceColor.needsUpdate = true;
    mesh.computeBoundingSphere();
    root.add(mesh);
    disposables.push(geo);
  };
  const cyl = () => new THREE.CylinderGeometry(1, 1, 1, 10).translate(0, 0.5, 0);
  const ball = () => new THREE.IcosahedronGeometry(1, 2);
  const box = () => new THREE.BoxGeometry(1, 1, 1).translate(0, 0.5, 0);
  const trees = byKind.get('tree') ?? [];
  if (trees.length) {
    part(
      trees,
      cyl(),
      (p, pos, s) => (pos.set(p.x, 0, -p.y), s.set(p.radius / 5, p.height * 0.45, p.radius / 5)),
      (p) => p.color2,
    );
    part(
      trees,
      ball(),
      (p, pos, s) => (pos.set(p.x, p.height - p.radius, -p.y), s.set(p.radius, p.radius * 1.1, p.radius)),
      (p) => p.color,
    );
  }
  const bushes = byKind.get('bush') ?? [];
  if (bushes.length)
    part(
      bushes,
      ball(),
      (p, pos, s) => (pos.set(p.x, p.height / 2, -p.y), s.set(p.radius, p.height / 2, p.radius)),
      (p) => p.color,
    );
  const poles = byKind.get('pole') ?? [];
  if (poles.length)
    part(
      poles,
      cyl(),
      (p, pos, s) => (pos.set(p.x, 0, -p.y), s.set(p.radius, p.height, p.radius)),
      (p) => p.color,
    );
  const posts = byKind.get('post') ?? [];
  if (posts.length) {
    part(
      posts,
      box(),
      (p, pos, s) => (pos.set(p.x, 0, -p.y), s.set(p.radius * 2, p.height, p.radius * 2)),
      (p) => p.color,
    );
    part(
      posts,
      box(),
      (p, pos, s) => (pos.set(p.x, p.height * 0.75, -p.y), s.set(p.radius * 2.2, p.height * 0.12, p.radius * 2.2)),
      (p) => p.color2,
    );
  }
  const signs = byKind.get('sign') ?? [];
  if (signs.length) {
    part(
      signs,
      cyl(),
      (p, pos, s) => (pos.set(p.x, 0, -p.y), s.set(0.04, p.height, 0.04)),
      () => [0.55, 0.55, 0.55],
    );
    part(
      signs,
      box(),
      (p, pos, s) => (pos.set(p.x, p.height - p.radius, -p.y), s.set(p.radius * 2, p.radius * 2, 0.05)),
      (p) => p.color,
    );
  }
}
