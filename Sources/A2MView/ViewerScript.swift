/// The HTML player's style sheet and script, hand-written, no framework, no network.
///
/// The camera and framing math mirrors `OrbitCamera` and `Framing` (keep them in step; the Chromium test
/// `ViewerChromiumTests` fails when they drift). The frame shown at time t is `frameAt` = `ViewerTrack.frame(at:)`.
/// `#selftest&yaw=..&pitch=..&zoom=..&t=..&play=SECONDS` makes the page play, seek, and write a JSON report into
/// `<pre id="a2m-selftest">` for the test harness; `#t=SECONDS` opens the page at that time.
enum ViewerScript {
    static let css = #"""
html,body{margin:0;height:100%;background:#15161a;color:#ddd;font:13px system-ui,sans-serif;overflow:hidden}
#bar{display:flex;align-items:center;gap:10px;padding:6px 10px;background:#22242a;height:28px}
#bar button{width:34px;height:24px;background:#3a3d46;color:#eee;border:0;border-radius:4px;cursor:pointer}
#scrub{flex:1}
#time{font-variant-numeric:tabular-nums;min-width:200px;text-align:right}
#view{display:block;width:100%;height:calc(100% - 40px - 24px);cursor:grab}
#info{height:24px;line-height:24px;padding:0 10px;background:#22242a;font-size:12px;color:#aaa;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#a2m-selftest{display:none}
"""#

    /// Runs first, in its own script element, so even a syntax error in the main script is recorded.
    static let errorTrap = #"""
window.a2mErrors=[];
window.addEventListener('error',function(e){a2mErrors.push(String(e.message)+' (line '+e.lineno+')')});
window.addEventListener('unhandledrejection',function(e){a2mErrors.push('unhandled rejection: '+e.reason)});
"""#

    static let main = #"""
(function () {
'use strict';
const data = JSON.parse(document.getElementById('a2m-data').textContent);
const canvas = document.getElementById('view'), ctx = canvas.getContext('2d');
const audio = document.getElementById('audio'), hasAudio = !!audio;
const $ = id => document.getElementById(id);
const playBtn = $('play'), scrub = $('scrub'), speedSel = $('speed'), loopBox = $('loop'), timeLbl = $('time');
const FOV = 45 * Math.PI / 180, FILL = 0.75, NEAR = 1e-3, EPS = 1e-6;
const BG = '#15161a', GRID = '#33363f', JOINT = '#f4f4f4';
const COLORS = {left: '#4aa3ff', right: '#ff6a5a', center: '#c9c9c9'};

function decode(b64) {
  const s = atob(b64), u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return new Float32Array(u.buffer);
}
function side(name) {
  const n = name.toLowerCase();
  return n.includes('left') ? 'left' : n.includes('right') ? 'right' : 'center';
}
const tracks = data.tracks.map(t => {
  const pos = decode(t.positions), n = t.names.length, frames = pos.length / (3 * n);
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let f = 0; f < frames; f++) {
    const r = f * n * 3;
    for (let j = 0; j < n; j++) {
      const o = r + 3 * j, q = [pos[o] - pos[r], pos[o + 1], pos[o + 2] - pos[r + 2]];
      for (let k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], q[k]); hi[k] = Math.max(hi[k], q[k]); }
    }
  }
  const size = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-6);
  const joints = t.endSite.filter(e => !e).length;
  return Object.assign({}, t, {pos, n, frames, size, centerY: (lo[1] + hi[1]) / 2, joints,
    duration: frames / t.fps, colors: t.names.map(side)});
});
let duration = Math.max(...tracks.map(t => t.duration));
const cam = {yaw: 0.5, pitch: 0.2, zoom: 1};
let playing = false, cur = 0, speed = 1, wallStart = 0, wallOffset = 0, audioOver = false, audioFailed = false, dragging = null;

function frameAt(tr, t) { return Math.min(Math.max(Math.floor(t * tr.fps + EPS), 0), tr.frames - 1); }
function audioDur() { return hasAudio && isFinite(audio.duration) ? audio.duration : Infinity; }  // unknown until loadedmetadata

// The clock: the audio element's currentTime while the time is inside the audio, else a wall clock.
function now() {
  if (hasAudio && !audioOver) return audio.currentTime;
  return playing ? wallOffset + (performance.now() - wallStart) / 1000 * speed : cur;
}
function clockSource() { return hasAudio && !audioOver ? 'audio' : 'wall'; }
function startWall(t) { wallOffset = t; wallStart = performance.now(); }
function play() {
  if (now() >= duration - EPS) seek(0);
  playing = true; startWall(now());
  if (hasAudio && !audioOver) {
    audio.playbackRate = speed;
    // AbortError = a pause() arrived before playback started: expected, not a failure.
    audio.play().catch(e => { if (e.name !== 'AbortError') a2mErrors.push('audio.play: ' + e.message); });
  }
  playBtn.textContent = '\u275A\u275A';
}
function pause() {
  cur = now(); playing = false;
  if (hasAudio) audio.pause();
  playBtn.textContent = '\u25B6';
  draw();
}
function seek(t) {
  t = Math.min(Math.max(t, 0), duration); cur = t; startWall(t);
  if (hasAudio) {
    audioOver = audioFailed || t >= audioDur();
    if (audioOver) audio.pause();
    else { audio.currentTime = t; if (playing && audio.paused) audio.play().catch(() => {}); }
  }
  draw();
}
if (hasAudio) {
  audio.addEventListener('loadedmetadata', () => { duration = Math.max(duration, audioDur()); draw(); });
  audio.addEventListener('ended', () => { audioOver = true; cur = audioDur(); startWall(cur); });
  // A file the browser cannot decode must not freeze the clock at 0: fall back to the wall clock and say so.
  audio.addEventListener('error', () => {
    a2mErrors.push('audio could not be loaded (code ' + (audio.error && audio.error.code) + ')');
    audioFailed = audioOver = true; cur = 0; startWall(0);
    $('info').textContent += '   |   audio could not be played by this browser';
  });
}

function sub(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function dot(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
function cross(a, b) { return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]; }
function norm(a) { const l = Math.sqrt(dot(a, a)); return [a[0] / l, a[1] / l, a[2] / l]; }
// Same as OrbitCamera.following(_:frame:yaw:pitch:zoom:) in Swift.
function camera(tr, f, vp) {
  const r = f * tr.n * 3, target = [tr.pos[r], tr.centerY, tr.pos[r + 2]];
  const d = cam.zoom * (tr.size / 2) / Math.tan(FOV / 2) / FILL, cp = Math.cos(cam.pitch);
  const eye = [target[0] + d * cp * Math.sin(cam.yaw), target[1] + d * Math.sin(cam.pitch), target[2] + d * cp * Math.cos(cam.yaw)];
  const fwd = norm(sub(target, eye)), right = norm(cross(fwd, [0, 1, 0])), up = cross(right, fwd);
  return {eye, fwd, right, up, target, focal: vp[3] / 2 / Math.tan(FOV / 2), vp};
}
function project(c, p) {
  const v = sub(p, c.eye), depth = dot(v, c.fwd);
  if (depth <= NEAR) return null;
  return [c.vp[0] + c.vp[2] / 2 + c.focal * dot(v, c.right) / depth, c.vp[1] + c.vp[3] / 2 - c.focal * dot(v, c.up) / depth, depth];
}
function layout() {
  const W = canvas.clientWidth, H = canvas.clientHeight, N = tracks.length;
  const cols = N <= 3 ? N : Math.ceil(Math.sqrt(N)), rows = Math.ceil(N / cols), w = W / cols, h = H / rows;
  return tracks.map((_, i) => [(i % cols) * w, Math.floor(i / cols) * h, w, h]);
}
function niceStep(x) {
  const p = Math.pow(10, Math.floor(Math.log10(x))), m = x / p;
  return p * (m < 2 ? 1 : m < 5 ? 2 : 5);
}
function resize() {
  const dpr = window.devicePixelRatio || 1, w = Math.round(canvas.clientWidth * dpr), h = Math.round(canvas.clientHeight * dpr);
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
}
function line(a, b) { ctx.beginPath(); ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke(); }

function drawTrack(tr, vp, t) {
  const f = frameAt(tr, t), c = camera(tr, f, vp), base = f * tr.n * 3;
  ctx.save(); ctx.beginPath(); ctx.rect(vp[0], vp[1], vp[2], vp[3]); ctx.clip();
  const s = niceStep(tr.size / 4), cx = Math.round(c.target[0] / s) * s, cz = Math.round(c.target[2] / s) * s, K = 8;
  ctx.strokeStyle = GRID; ctx.lineWidth = 1;
  for (let i = -K; i <= K; i++) {
    const a = project(c, [cx + i * s, 0, cz - K * s]), b = project(c, [cx + i * s, 0, cz + K * s]);
    const e = project(c, [cx - K * s, 0, cz + i * s]), g = project(c, [cx + K * s, 0, cz + i * s]);
    if (a && b) line(a, b);
    if (e && g) line(e, g);
  }
  ctx.fillStyle = '#eee'; ctx.font = 'bold 14px system-ui,sans-serif';
  ctx.fillText(tr.name, vp[0] + 10, vp[1] + 20);
  ctx.font = '12px system-ui,sans-serif'; ctx.fillStyle = '#aaa';
  ctx.fillText(`${+tr.fps.toFixed(3)} fps \u00b7 ${tr.frames} frame${tr.frames === 1 ? '' : 's'} \u00b7 ${tr.joints} joints`, vp[0] + 10, vp[1] + 38);
  ctx.fillText(`frame ${f}`, vp[0] + 10, vp[1] + 54);
  const pts = [];
  for (let j = 0; j < tr.n; j++) pts.push(project(c, [tr.pos[base + 3 * j], tr.pos[base + 3 * j + 1], tr.pos[base + 3 * j + 2]]));
  const bones = [];
  for (let j = 0; j < tr.n; j++) {
    const p = tr.parents[j];
    if (p >= 0 && pts[j] && pts[p]) bones.push([p, j, (pts[j][2] + pts[p][2]) / 2]);
  }
  bones.sort((a, b) => b[2] - a[2]);
  ctx.lineCap = 'round';
  const radius = 0.025 * tr.size;
  for (const [p, j, depth] of bones) {
    ctx.strokeStyle = COLORS[tr.colors[j]]; ctx.lineWidth = Math.max(2, 2 * radius * c.focal / depth);
    line(pts[p], pts[j]);
  }
  ctx.fillStyle = JOINT;
  for (let j = 0; j < tr.n; j++) {
    if (tr.endSite[j] || !pts[j]) continue;
    ctx.beginPath(); ctx.arc(pts[j][0], pts[j][1], Math.max(2.5, 0.6 * radius * c.focal / pts[j][2]), 0, 2 * Math.PI); ctx.fill();
  }
  ctx.restore();
  return {frame: f, projected: pts.map(p => p && [p[0], p[1]])};
}

const debug = {};
function draw() {
  resize();
  const t = now(), vps = layout();
  ctx.fillStyle = BG; ctx.fillRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  const res = tracks.map((tr, i) => drawTrack(tr, vps[i], t));
  Object.assign(debug, {time: t, clockSource: clockSource(), playing, frames: res.map(r => r.frame),
    projected: res.map(r => r.projected), viewports: vps, camera: Object.assign({}, cam),
    dpr: window.devicePixelRatio || 1, audioTime: hasAudio ? audio.currentTime : null});
  if (!dragging) scrub.value = t;
  timeLbl.textContent = `${t.toFixed(2)} / ${duration.toFixed(2)} s \u00b7 frame ${res[0].frame + 1}/${tracks[0].frames}`;
}
function tick() {
  if (playing) {
    const t = now();
    if (t >= duration) { if (loopBox.checked) seek(0); else { pause(); seek(duration); } }
    draw();
  }
  requestAnimationFrame(tick);
}

scrub.max = duration; scrub.step = 0.001;
playBtn.addEventListener('click', () => playing ? pause() : play());
scrub.addEventListener('input', () => seek(+scrub.value));
speedSel.addEventListener('change', () => {
  const t = now(); speed = +speedSel.value; startWall(t);
  if (hasAudio) audio.playbackRate = speed;
});
canvas.addEventListener('pointerdown', e => { dragging = [e.clientX, e.clientY]; canvas.setPointerCapture(e.pointerId); });
canvas.addEventListener('pointermove', e => {
  if (!dragging) return;
  cam.yaw -= (e.clientX - dragging[0]) * 0.01;
  cam.pitch = Math.min(1.5, Math.max(-1.5, cam.pitch + (e.clientY - dragging[1]) * 0.01));
  dragging = [e.clientX, e.clientY]; draw();
});
canvas.addEventListener('pointerup', () => { dragging = null; });
canvas.addEventListener('wheel', e => { e.preventDefault(); cam.zoom = Math.min(10, Math.max(0.2, cam.zoom * Math.exp(e.deltaY * 0.001))); draw(); }, {passive: false});
canvas.addEventListener('dblclick', () => { Object.assign(cam, {yaw: 0.5, pitch: 0.2, zoom: 1}); draw(); });
window.addEventListener('keydown', e => {
  const step = 1 / tracks[0].fps;
  if (e.code === 'Space') { e.preventDefault(); playing ? pause() : play(); }
  else if (e.code === 'ArrowRight') { if (playing) pause(); seek(now() + step); }
  else if (e.code === 'ArrowLeft') { if (playing) pause(); seek(now() - step); }
  else if (e.code === 'Home') seek(0);
});
window.addEventListener('resize', draw);

const info = $('info');
info.textContent = tracks.map(t => {
  const meta = Object.keys(t.meta).sort().map(k => `${k}=${t.meta[k]}`).join(', ');
  return `${t.name}: ${t.joints} joints` + (t.n > t.joints ? ` + ${t.n - t.joints} end sites` : '') + (meta ? ` \u00b7 ${meta}` : '');
}).join('   |   ') + (hasAudio ? `   |   audio: ${data.audio.name}` : '');

window.a2m = {debug, play, pause, seek, cam, frameAt: (i, t) => frameAt(tracks[i], t), tracks};

async function selftest(params) {
  const out = {errors: a2mErrors, hasAudio};
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const once = (el, ev, ms) => new Promise((res, rej) => {
    const to = setTimeout(() => rej(new Error(`timeout waiting for ${ev}`)), ms);
    el.addEventListener(ev, () => { clearTimeout(to); res(); }, {once: true});
  });
  try {
    for (const t0 = performance.now(); hasAudio && audio.readyState < 1 && !audioFailed && performance.now() - t0 < 5000;) await sleep(50);
    cam.yaw = +params.get('yaw'); cam.pitch = +params.get('pitch'); cam.zoom = +params.get('zoom');
    // Play until the clock has really advanced (the audio pipeline can take a while to start on a busy
    // machine), then report what the last animation frame drew.
    play();
    const until = +params.get('play') || 0.5, t0 = performance.now();
    while (now() < until && performance.now() - t0 < 15000) await sleep(50);
    await frame();
    out.play = {time: debug.time, clockSource: debug.clockSource, frames: debug.frames.slice(), playing: debug.playing};
    pause();
    const t = +params.get('t');
    if (hasAudio && !audioFailed) { const s = once(audio, 'seeked', 3000); seek(t); await s; } else seek(t);
    draw();
    const dpr = debug.dpr, pixels = tracks.map((tr, i) => debug.projected[i].map((p, j) => {
      if (!p || tr.endSite[j]) return null;
      const d = ctx.getImageData(Math.round(p[0] * dpr), Math.round(p[1] * dpr), 1, 1).data;
      return [d[0], d[1], d[2]];
    }));
    out.seek = Object.assign(JSON.parse(JSON.stringify(debug)), {requested: t, pixels});
    out.audioFailed = audioFailed;
  } catch (e) { a2mErrors.push('selftest: ' + e.message); }
  out.done = true;
  $('a2m-selftest').textContent = JSON.stringify(out);
}

draw();
requestAnimationFrame(tick);
const hash = new URLSearchParams(location.hash.slice(1));
if (hash.has('selftest')) selftest(hash);
else if (hash.has('t')) {
  // #t=SECONDS opens at that moment (links, screenshots); with audio, once its duration is known.
  const go = () => seek(+hash.get('t'));
  if (hasAudio && audio.readyState < 1) audio.addEventListener('loadedmetadata', go, {once: true}); else go();
}
})();
"""#
}
