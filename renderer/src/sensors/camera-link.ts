/**
 * Links the cameras of several three.js views, so that orbiting, panning or zooming one view moves
 * the others the same way (sample A and B of a pair seen from the same viewpoint).
 *
 * Framework-free: a view joins with its camera, its orbit target and a callback that redraws it.
 * When a view's controls report a change, it calls `publish`; the link copies that view's camera into
 * every other member and calls their `onSynced`. Copies made during a publish are not published
 * again, so a member whose redraw fires its own change event cannot start a feedback loop.
 */
import type { Camera, OrthographicCamera, PerspectiveCamera, Vector3 } from 'three';

export interface LinkedView {
  camera: Camera;
  /** The point the view orbits around (`OrbitControls.target`). */
  target: Vector3;
  /** Called after the link has copied another member's camera into this one; redraw here. */
  onSynced(): void;
  /** When the user last moved this view (any increasing clock), 0 or absent for never. */
  lastMoved?(): number;
}

type ZoomableCamera = PerspectiveCamera | OrthographicCamera;

function isZoomable(camera: Camera): camera is ZoomableCamera {
  const flags = camera as { isPerspectiveCamera?: boolean; isOrthographicCamera?: boolean };
  return flags.isPerspectiveCamera === true || flags.isOrthographicCamera === true;
}

/** Copy position, up, orientation, zoom and orbit target from one view to another. */
export function copyCameraState(from: Pick<LinkedView, 'camera' | 'target'>, to: Pick<LinkedView, 'camera' | 'target'>): void {
  to.camera.position.copy(from.camera.position);
  to.camera.up.copy(from.camera.up);
  to.camera.quaternion.copy(from.camera.quaternion);
  to.target.copy(from.target);
  if (isZoomable(from.camera) && isZoomable(to.camera) && to.camera.zoom !== from.camera.zoom) {
    to.camera.zoom = from.camera.zoom;
    to.camera.updateProjectionMatrix();
  }
  to.camera.updateMatrixWorld();
}

export class CameraLink {
  private readonly members = new Set<LinkedView>();
  private publishing = false;

  /** Add a view; the returned function removes it again (call it when the view is disposed). */
  join(view: LinkedView): () => void {
    this.members.add(view);
    return () => {
      this.members.delete(view);
    };
  }

  /** Number of views in the link. */
  get size(): number {
    return this.members.size;
  }

  /**
   * Copies the camera of the member the user moved last into the others, so that ticking "link"
   * again keeps the view just set up. Members never moved lose to the first member.
   */
  publishLatest(): void {
    let latest: LinkedView | undefined;
    for (const member of this.members) {
      if (latest === undefined || (member.lastMoved?.() ?? 0) > (latest.lastMoved?.() ?? 0)) latest = member;
    }
    if (latest !== undefined) this.publish(latest);
  }

  /** Copy `source`'s camera into every other member. Ignored for non-members and during another publish. */
  publish(source: LinkedView): void {
    if (this.publishing || !this.members.has(source)) return;
    this.publishing = true;
    try {
      for (const member of this.members) {
        if (member === source) continue;
        copyCameraState(source, member);
        member.onSynced();
      }
    } finally {
      this.publishing = false;
    }
  }
}
