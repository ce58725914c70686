import { OrthographicCamera, PerspectiveCamera, Vector3 } from 'three';
import { describe, expect, it } from 'vitest';
import { CameraLink, copyCameraState, type LinkedView } from '../../renderer/src/sensors/camera-link.js';

function view(onSynced: () => void = () => {}): LinkedView & { synced: number } {
  const camera = new PerspectiveCamera(50, 1, 0.1, 1000);
  camera.up.set(0, 0, 1);
  camera.position.set(0, 0, 50);
  const linked = {
    camera,
    target: new Vector3(),
    synced: 0,
    onSynced: () => {
      linked.synced += 1;
      onSynced();
    },
  };
  return linked;
}

function move(moved: LinkedView): void {
  const camera = moved.camera as PerspectiveCamera;
  camera.position.set(10, -20, 30);
  camera.up.set(0, 1, 0);
  camera.lookAt(1, 2, 3);
  camera.zoom = 2.5;
  camera.updateProjectionMatrix();
  moved.target.set(1, 2, 3);
}

describe('CameraLink', () => {
  it('copies the moved camera to the others', () => {
    const link = new CameraLink();
    const a = view();
    const b = view();
    const c = view();
    link.join(a);
    link.join(b);
    link.join(c);

    move(a);
    link.publish(a);

    for (const follower of [b, c]) {
      expect(follower.camera.position.toArray()).toEqual(a.camera.position.toArray());
      expect(follower.camera.up.toArray()).toEqual(a.camera.up.toArray());
      expect(follower.camera.quaternion.toArray()).toEqual(a.camera.quaternion.toArray());
      expect((follower.camera as PerspectiveCamera).zoom).toBe(2.5);
      expect(follower.target.toArray()).toEqual([1, 2, 3]);
      expect(follower.synced).toBe(1);
    }
    expect(a.synced).toBe(0);
  });

  it('updates the follower projection for a new zoom', () => {
    const link = new CameraLink();
    const a = view();
    const b = view();
    link.join(a);
    link.join(b);
    const before = b.camera.projectionMatrix.clone();

    move(a);
    link.publish(a);

    expect(b.camera.projectionMatrix.equals(before)).toBe(false);
    expect(b.camera.projectionMatrix.toArray()).toEqual(a.camera.projectionMatrix.toArray());
  });

  it('ignores publishes from followers during a publish', () => {
    const link = new CameraLink();
    const a = view();
    // B reports its own change while being synced, as OrbitControls would if it were updated.
    const b: LinkedView & { synced: number } = view(() => {
      b.camera.position.set(99, 99, 99);
      link.publish(b);
    });
    link.join(a);
    link.join(b);

    move(a);
    link.publish(a);

    expect(a.synced).toBe(0);
    expect(a.camera.position.toArray()).toEqual([10, -20, 30]);
    expect(b.synced).toBe(1);
  });

  it('publishes again after a publish ends', () => {
    const link = new CameraLink();
    const a = view();
    const b = view();
    link.join(a);
    link.join(b);

    link.publish(a);
    move(b);
    link.publish(b);

    expect(a.synced).toBe(1);
    expect(a.camera.position.toArray()).toEqual([10, -20, 30]);
  });

  it('stops syncing a view that left', () => {
    const link = new CameraLink();
    const a = view();
    const b = view();
    link.join(a);
    const leave = link.join(b);
    leave();

    move(a);
    link.publish(a);

    expect(link.size).toBe(1);
    expect(b.synced).toBe(0);
    expect(b.camera.position.toArray()).toEqual([0, 0, 50]);
  });

  it('ignores publishes from non-members', () => {
    const link = new CameraLink();
    const a = view();
    const b = view();
    link.join(b);

    move(a);
    link.publish(a);

    expect(b.synced).toBe(0);
  });

  it('publishes again after a member threw', () => {
    const link = new CameraLink();
    const a = view();
    const failing = view(() => {
      throw new Error('redraw failed');
    });
    link.join(a);
    const leave = link.join(failing);

    expect(() => link.publish(a)).toThrow('redraw failed');
    leave();
    const b = view();
    link.join(b);
    link.publish(a);
    expect(b.synced).toBe(1);
  });
});

describe('copyCameraState', () => {
  it('copies zoom between orthographic cameras', () => {
    const from = { camera: new OrthographicCamera(-1, 1, 1, -1), target: new Vector3(4, 5, 6) };
    const to = { camera: new OrthographicCamera(-1, 1, 1, -1), target: new Vector3() };
    from.camera.zoom = 3;
    from.camera.position.set(1, 2, 3);

    copyCameraState(from, to);

    expect(to.camera.zoom).toBe(3);
    expect(to.camera.position.toArray()).toEqual([1, 2, 3]);
    expect(to.target.toArray()).toEqual([4, 5, 6]);
  });

  it('updates the world matrix of the copy', () => {
    const from = view();
    const to = view();
    move(from);
    from.camera.updateMatrixWorld();

    copyCameraState(from, to);

    expect(to.camera.matrixWorld.toArray()).toEqual(from.camera.matrixWorld.toArray());
  });

  it('keeps the view moved last when views link again', () => {
    const link = new CameraLink();
    const a = { ...view(), lastMoved: () => 20 };
    const b = { ...view(), lastMoved: () => 10 };
    a.camera.position.set(5, 6, 7);
    link.join(a);
    link.join(b);

    link.publishLatest();

    expect(b.camera.position.toArray()).toEqual([5, 6, 7]);
    expect(a.camera.position.toArray()).toEqual([5, 6, 7]);
  });
});
