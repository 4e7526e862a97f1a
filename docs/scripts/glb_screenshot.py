"""Renders an a2m GLB with three.js (Debian libjs-three) in headless Chromium and saves a PNG: the picture of
docs/viewer.md. Needs `apt-get install chromium libjs-three`.

    python3 docs/scripts/glb_screenshot.py motion.glb out.png [--time 2.0] [--hips mixamorigHips]

The page loads the GLB with GLTFLoader, poses it with an AnimationMixer at --time seconds, frames the whole
figure from the front-right and renders with WebGL (SwiftShader, so no GPU is needed).
"""
import argparse
import base64
import os
import subprocess
import tempfile

ap = argparse.ArgumentParser()
ap.add_argument("glb")
ap.add_argument("png")
ap.add_argument("--time", type=float, default=2.0)
ap.add_argument("--hips", default="Hips", help="three.js name of the node the camera follows")
args = ap.parse_args()
b64 = base64.b64encode(open(args.glb, "rb").read()).decode()
three = "/usr/share/javascript/three"
html = f"""<!doctype html><html><body style="margin:0;background:#f4f5f7">
<script src="file://{three}/build/three.min.js"></script>
<script src="file://{three}/examples/js/loaders/GLTFLoader.js"></script>
<script>
const W = 900, H = 600;
const renderer = new THREE.WebGLRenderer({{antialias: true}});
renderer.setSize(W, H); renderer.setClearColor(0xf4f5f7);
document.body.appendChild(renderer.domElement);
const scene = new THREE.Scene();
scene.add(new THREE.HemisphereLight(0xffffff, 0x8899aa, 0.9));
const sun = new THREE.DirectionalLight(0xffffff, 0.7); sun.position.set(2, 4, 3); scene.add(sun);
scene.add(new THREE.GridHelper(4, 16, 0x99a0aa, 0xc8ccd2));
const camera = new THREE.PerspectiveCamera(35, W / H, 0.05, 50);
const bin = Uint8Array.from(atob("{b64}"), c => c.charCodeAt(0)).buffer;
new THREE.GLTFLoader().parse(bin, '', gltf => {{
  scene.add(gltf.scene);
  const mixer = new THREE.AnimationMixer(gltf.scene);
  const a = mixer.clipAction(gltf.animations[0]); a.setLoop(THREE.LoopOnce); a.clampWhenFinished = true; a.play();
  mixer.setTime({args.time});
  scene.updateMatrixWorld(true);
  const c = new THREE.Vector3(); gltf.scene.getObjectByName('{args.hips}').getWorldPosition(c);
  camera.position.set(c.x + 1.6, c.y + 0.4, c.z + 3.6); camera.lookAt(c.x, c.y - 0.05, c.z);
  renderer.render(scene, camera);
}});
</script></body></html>"""
with tempfile.TemporaryDirectory() as d:
    page = os.path.join(d, "shot.html")
    open(page, "w").write(html)
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                    "--hide-scrollbars", "--window-size=900,600", "--virtual-time-budget=5000",
                    f"--user-data-dir={d}/profile", f"--screenshot={os.path.abspath(args.png)}", "file://" + page],
                   check=True, stderr=subprocess.DEVNULL)
print(args.png)
