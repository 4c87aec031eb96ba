// The explorer's page. Plain JavaScript, no build step, nothing from the web.
//
// All the arithmetic happens in Python: this page sends what the user set
// and draws what comes back. The whole state of the page lives in one
// object, `state`, which is written to the URL's hash after every change,
// so a link reopens the same view (as TensorFlow Playground does).
//
//   expression view: POST /api/expression -> the graph as SVG, laid out once,
//     and the backward steps; stepping only recolours and retexts that SVG.
//   training view:   POST /api/train/new, /api/train/step (a few SGD steps
//     and the pictures), /api/train/neuron (one neuron as an expression).
"use strict";

const state = {
  mode: "expr",
  expr: { text: "tanh(a*b + a) * c", values: { a: 0.5, b: -1.5, c: 2 }, params: [], step: null, check: false },
  train: { dataset: "xor", hidden: "16", activation: "relu", loss: "", lr: "", lr_end: "",
           decay_steps: "", batch_size: "", seed: "0", example: 0 },
};

let info = null; // GET /api/info: choices, defaults, colours, limits
const $ = (id) => document.getElementById(id);

// ---- talking to the server -------------------------------------------------

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let data;
  try {
    data = await response.json();
  } catch (e) {
    throw new Error(`the server answered ${response.status} without JSON`);
  }
  if (!response.ok) throw new Error(data.error || `the server answered ${response.status}`);
  return data;
}

function showServerError(message) {
  const p = $("server-error");
  p.textContent = message || "";
  p.hidden = !message;
}

// ---- the URL's hash: the state, shareable ------------------------------------

function writeHash() {
  const h = new URLSearchParams();
  h.set("mode", state.mode);
  if (state.mode === "expr") {
    const e = state.expr;
    h.set("e", e.text);
    h.set("v", Object.entries(e.values).map(([k, v]) => `${k}:${v}`).join(","));
    if (e.params.length) h.set("p", e.params.join(","));
    if (e.step !== null) h.set("s", String(e.step));
    if (e.check) h.set("c", "1");
  } else {
    const t = state.train;
    for (const [key, name] of TRAIN_KEYS) if (t[name] !== "") h.set(key, String(t[name]));
  }
  history.replaceState(null, "", "#" + h.toString());
}

const TRAIN_KEYS = [["ds", "dataset"], ["h", "hidden"], ["act", "activation"], ["loss", "loss"],
  ["lr", "lr"], ["lre", "lr_end"], ["dec", "decay_steps"], ["bs", "batch_size"],
  ["seed", "seed"], ["ex", "example"]];

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (!h.has("mode")) return false;
  state.mode = h.get("mode") === "train" ? "train" : "expr";
  if (state.mode === "expr") {
    const e = state.expr;
    if (h.has("e")) e.text = h.get("e");
    e.values = {};
    for (const pair of (h.get("v") || "").split(",")) {
      const [k, v] = pair.split(":");
      if (k && v !== undefined && isFinite(Number(v))) e.values[k] = Number(v);
    }
    e.params = (h.get("p") || "").split(",").filter(Boolean);
    e.step = h.has("s") ? Number(h.get("s")) : null;
    e.check = h.get("c") === "1";
  } else {
    for (const [key, name] of TRAIN_KEYS) {
      if (h.has(key)) state.train[name] = name === "example" ? Number(h.get(key)) || 0 : h.get(key);
    }
  }
  return true;
}

// ---- the signed colour map (drawing/styles.py's signed_colour) ------------------

function hexToRgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function signedRgb(value, scale) {
  if (value === null || Number.isNaN(value)) return [115, 115, 115];
  let t = scale > 0 ? Math.min(Math.abs(value) / scale, 1) : 0;
  if (!Number.isFinite(value)) t = 1;
  const end = hexToRgb(value > 0 ? info.colours.positive : info.colours.negative);
  t *= info.colours.max_shade;
  return end.map((c) => Math.round(255 + (c - 255) * t));
}

function signedColour(value, scale) {
  const [r, g, b] = signedRgb(value, scale);
  return `rgb(${r},${g},${b})`;
}

// =============================================================================
// The expression view
// =============================================================================

let graph = null; // the answer of /api/expression on screen, and its SVG's parts
let exprRequest = 0; // answers to older requests are dropped
let exprTimer = null;

function scheduleExpression(delay) {
  clearTimeout(exprTimer);
  exprTimer = setTimeout(loadExpression, delay);
}

// One request at a time: while one is out, later changes only mark the
// state dirty, and the newest state is sent when the answer is in (a slider
// dragged across its range sends a handful of requests, not hundreds).
let exprInFlight = false;
let exprDirty = false;

async function loadExpression() {
  if (exprInFlight) {
    exprDirty = true;
    return;
  }
  exprInFlight = true;
  try {
    await requestExpression();
  } finally {
    exprInFlight = false;
  }
  if (exprDirty) {
    exprDirty = false;
    await loadExpression();
  }
}

async function requestExpression() {
  const e = state.expr;
  const mine = ++exprRequest;
  let answer;
  try {
    answer = await post("/api/expression", { expression: e.text, values: e.values, params: e.params, check: e.check });
  } catch (error) {
    if (mine !== exprRequest) return;
    $("expr-error").textContent = error.message; // the last good graph stays
    return;
  }
  if (mine !== exprRequest) return;
  $("expr-error").textContent = "";
  showServerError("");
  if (!exprDirty) { // (else the user has moved on, and the newer state is on its way)
    // The values as the server read them (a new name starts at 1).
    e.values = answer.values;
    e.params = answer.params;
  }
  const last = answer.steps.length - 1;
  if (e.step === null || e.step > last || (graph && graph.answer.expression !== answer.expression)) e.step = last;
  showExpression(answer);
  writeHash();
}

function showExpression(answer) {
  $("expr-output").textContent = "= " + answer.output;
  buildInputs(answer);
  $("backward-error").textContent = answer.backward_error || "";
  $("dot-missing").hidden = !answer.dot_missing;
  $("dot-missing").textContent = answer.dot_missing || "";
  const box = $("graph");
  if (answer.svg) {
    const doc = new DOMParser().parseFromString(answer.svg, "image/svg+xml");
    const svg = document.importNode(doc.documentElement, true);
    box.replaceChildren(svg);
    // Fit the width, but shrink to no less than 70% (a wider graph scrolls):
    // below that the labels are too small to read.
    const natural = parseFloat(svg.getAttribute("width")) * 4 / 3; // pt to px
    if (natural) svg.style.minWidth = `${Math.round(0.7 * natural)}px`;
    graph = { answer, ...indexSvg(svg) };
  } else {
    box.replaceChildren();
    graph = { answer, nodes: {}, edges: {}, svg: null };
  }
  const slider = $("step-slider");
  slider.max = String(answer.steps.length - 1);
  showStep(state.expr.step);
}

// The inputs: a slider, a number box and a parameter checkbox for each name.
function buildInputs(answer) {
  const body = $("inputs").querySelector("tbody");
  const names = answer.inputs.map((i) => i.name);
  const same = body.dataset.names === names.join(",");
  if (!same) {
    body.replaceChildren();
    for (const item of answer.inputs) body.appendChild(inputRow(item.name));
    body.dataset.names = names.join(",");
  }
  for (const item of answer.inputs) {
    const row = body.querySelector(`tr[data-name="${CSS.escape(item.name)}"]`);
    const number = row.querySelector("input[type=number]");
    const slider = row.querySelector("input[type=range]");
    if (document.activeElement !== number) number.value = String(item.value);
    const reach = Math.max(5, Math.ceil(Math.abs(item.value)));
    slider.min = String(-reach);
    slider.max = String(reach);
    if (document.activeElement !== slider) slider.value = String(item.value);
    row.querySelector("input[type=checkbox]").checked = state.expr.params.includes(item.name);
    row.querySelector(".grad").textContent = item.grad_text;
    const fd = row.querySelector("td.fd");
    if ("fd_text" in item) {
      fd.textContent = `${item.fd_text} ${item.agrees ? "✓ agrees" : "✗ disagrees"}`;
      fd.className = "fd " + (item.agrees ? "agrees" : "disagrees");
    } else {
      fd.textContent = "";
      fd.className = "fd";
    }
  }
  document.body.classList.toggle("checking", state.expr.check);
}

function inputRow(name) {
  const row = document.createElement("tr");
  row.dataset.name = name;
  row.innerHTML = `<td class="name"></td><td><input type="range" step="0.01"></td>
    <td><input type="number" step="any"></td><td><input type="checkbox"></td>
    <td class="grad"></td><td class="fd"></td>`;
  row.querySelector(".name").textContent = name;
  const slider = row.querySelector("input[type=range]");
  const number = row.querySelector("input[type=number]");
  const param = row.querySelector("input[type=checkbox]");
  slider.setAttribute("aria-label", `${name} (slider)`);
  number.setAttribute("aria-label", name);
  number.dataset.testid = "input-" + name;
  param.setAttribute("aria-label", `${name} is a parameter`);
  slider.addEventListener("input", () => {
    number.value = slider.value;
    setValue(name, Number(slider.value), 0);
  });
  number.addEventListener("input", () => {
    if (number.value !== "" && isFinite(Number(number.value))) setValue(name, Number(number.value), 120);
  });
  param.addEventListener("change", () => {
    const p = new Set(state.expr.params);
    if (param.checked) p.add(name); else p.delete(name);
    state.expr.params = [...p];
    scheduleExpression(0);
  });
  return row;
}

function setValue(name, value, delay) {
  state.expr.values[name] = value;
  scheduleExpression(delay);
}

// ---- the graph's SVG: find each node and edge once ----------------------------

// Graphviz writes each node as <g class="node"><title>n3</title>shape, texts</g>
// and each edge as <g class="edge"><title>n0->n3_op</title>path, arrow, label</g>.
function indexSvg(svg) {
  const nodes = {};
  for (const g of svg.querySelectorAll("g.node")) {
    const id = g.querySelector("title").textContent;
    const shape = g.querySelector("polygon, ellipse, path");
    const texts = [...g.querySelectorAll("text")];
    const grad = texts.filter((t) => t.textContent.startsWith("grad ")).pop() || null;
    nodes[id] = { g, shape, grad };
  }
  const edges = {};
  for (const g of svg.querySelectorAll("g.edge")) {
    const id = g.querySelector("title").textContent;
    const item = { g, path: g.querySelector("path"), arrow: g.querySelector("polygon"),
                   label: g.querySelector("text") };
    (edges[id] = edges[id] || []).push(item);
  }
  return { svg, nodes, edges };
}

// ---- stepping: colours and text only, the layout never changes -----------------

function showStep(k) {
  const answer = graph.answer;
  const steps = answer.steps;
  k = Math.max(0, Math.min(steps.length - 1, k));
  state.expr.step = k;
  $("step-slider").value = String(k);
  $("step-counter").textContent = `step ${k} of ${steps.length - 1}`;
  const step = steps[k];
  $("step-caption").textContent = step.caption + (k === steps.length - 1 && k > 0 ? " (done: every node holds d out/d node)" : "");
  $("step-sums").replaceChildren(...step.sums.map((s) => {
    const li = document.createElement("li");
    li.textContent = s;
    return li;
  }));

  // Every node's grad after steps 0..k (the ones not reached yet hold 0).
  const grads = {};
  grads[steps[0].node] = steps[0].grad;
  for (const s of steps.slice(1, k + 1)) for (const t of s.terms) grads[t.input] = t.grad;

  const c = info.colours;
  for (const node of answer.nodes) {
    const n = graph.nodes[node.id];
    if (!n) continue;
    paint(n.shape, node.fill, node.border, "1.2");
    if (n.grad) {
      n.grad.textContent = "grad " + (grads[node.id] || "0");
      n.grad.setAttribute("font-weight", "normal");
    }
  }
  for (const list of Object.values(graph.edges)) {
    for (const e of list) {
      if (!e.path || e.g.querySelector("title").textContent.startsWith("legend")) continue;
      e.path.setAttribute("stroke", c.edge);
      e.path.setAttribute("stroke-width", "1");
      if (e.arrow) paint(e.arrow, c.edge, c.edge, "1");
      if (e.label) e.label.setAttribute("visibility", "hidden");
    }
  }
  const fired = graph.nodes[step.node];
  if (fired) paint(fired.shape, null, c.fire, "3");
  if (step.op && graph.nodes[step.op]) paint(graph.nodes[step.op].shape, c.fire_fill, c.fire, "3");
  if (step.op) for (const e of graph.edges[`${step.op}->${step.node}`] || []) redEdge(e);
  for (const t of step.terms) {
    const n = graph.nodes[t.input];
    if (n) {
      paint(n.shape, null, c.update, "3");
      if (n.grad) n.grad.setAttribute("font-weight", "bold");
    }
    const e = (graph.edges[t.edge] || [])[t.occurrence];
    if (e) {
      redEdge(e);
      if (e.label) {
        e.label.textContent = t.product;
        e.label.setAttribute("visibility", "visible");
      }
    }
  }
  showChecks();
  writeHash();
}

function paint(shape, fill, stroke, width) {
  if (!shape) return;
  if (fill) shape.setAttribute("fill", fill);
  if (stroke) shape.setAttribute("stroke", stroke);
  if (width) shape.setAttribute("stroke-width", width);
}

function redEdge(e) {
  const c = info.colours;
  e.path.setAttribute("stroke", c.fire);
  e.path.setAttribute("stroke-width", "2.5");
  if (e.arrow) paint(e.arrow, c.fire, c.fire, "2.5");
  if (e.label) e.label.setAttribute("fill", c.fire);
}

// The finite-difference estimates, under each input's box on the graph.
function showChecks() {
  if (!graph.svg) return;
  for (const old of graph.svg.querySelectorAll("text.fd-note")) old.remove();
  if (!state.expr.check) return;
  for (const item of graph.answer.inputs) {
    const n = graph.nodes[item.id];
    if (!n || !("fd_text" in item)) continue;
    const box = n.shape.getBBox();
    const note = document.createElementNS("http://www.w3.org/2000/svg", "text");
    note.setAttribute("class", "fd-note");
    note.setAttribute("x", String(box.x + box.width / 2));
    note.setAttribute("y", String(box.y + box.height + 11));
    note.setAttribute("text-anchor", "middle");
    note.setAttribute("fill", item.agrees ? info.colours.positive : info.colours.negative);
    note.textContent = `fd ${item.fd_text} ${item.agrees ? "✓" : "✗"}`;
    n.g.appendChild(note);
  }
}

// =============================================================================
// The training view
// =============================================================================

const training = { id: null, playing: false, looping: false, last: null, settingsKey: "", pending: null, pendingKey: "" };

function fillTrainChoices() {
  const fill = (select, names) => {
    select.replaceChildren(...names.map((n) => new Option(n, n)));
  };
  fill($("train-dataset"), info.datasets);
  fill($("train-activation"), info.activations);
  fill($("train-loss"), info.losses);
}

// The form shows state.train; an empty loss, lr or batch size means the
// data set's default (the `train` command's).
function showTrainSettings() {
  const t = state.train;
  const d = info.defaults.per_dataset[t.dataset] || info.defaults.per_dataset.xor;
  $("train-dataset").value = t.dataset;
  $("train-hidden").value = t.hidden;
  $("train-activation").value = t.activation;
  $("train-loss").value = t.loss || d.loss;
  $("train-lr").value = t.lr || d.lr;
  $("train-lr-end").value = t.lr_end;
  $("train-decay-steps").value = t.decay_steps || info.defaults.decay_steps;
  $("train-batch").value = t.batch_size || (d.batch_size === null ? "" : d.batch_size);
  $("train-seed").value = t.seed;
}

function readTrainSettings() {
  const t = state.train;
  const dataset = $("train-dataset").value;
  if (dataset !== t.dataset) { // a new data set brings its own defaults
    t.dataset = dataset;
    t.loss = t.lr = t.batch_size = "";
    t.example = 0;
    showTrainSettings();
  }
  t.hidden = $("train-hidden").value.trim();
  t.activation = $("train-activation").value;
  t.loss = $("train-loss").value;
  t.lr = $("train-lr").value;
  t.lr_end = $("train-lr-end").value;
  t.decay_steps = $("train-decay-steps").value;
  t.batch_size = $("train-batch").value;
  t.seed = $("train-seed").value;
}

function trainBody() {
  const t = state.train;
  const number = (s) => (s === "" ? null : Number(s));
  // A size that is not a whole number goes as the text typed, so that the
  // server's message quotes it ("got [16, 'abc']", not "[16, None]").
  const size = (s) => (s.trim() !== "" && Number.isInteger(Number(s)) ? Number(s) : s.trim());
  const hidden = t.hidden === "" ? [] : t.hidden.split(",").map(size);
  const body = { dataset: t.dataset, hidden, activation: t.activation, loss: t.loss,
                 lr: number(t.lr), lr_end: number(t.lr_end), decay_steps: number(t.decay_steps),
                 batch_size: number(t.batch_size), seed: number(t.seed) };
  for (const k of Object.keys(body)) if (body[k] === null || body[k] === "") delete body[k];
  return body;
}

// Reset: a new network with the form's settings (Play pauses first).
function resetTraining() {
  pause();
  training.id = null;
  return ensureSession();
}

// The session for the form's settings: the current one, the one being
// made (so that a Play click during page load waits for it), or a new one.
function ensureSession() {
  readTrainSettings();
  const body = trainBody();
  const key = JSON.stringify(body);
  if (training.id && training.settingsKey === key) return Promise.resolve(true);
  if (training.pending && training.pendingKey === key) return training.pending;
  training.pendingKey = key;
  training.pending = newSession(body, key).finally(() => { training.pending = null; });
  return training.pending;
}

async function newSession(body, key) {
  let answer;
  try {
    answer = await post("/api/train/new", body);
  } catch (error) {
    $("train-error").textContent = error.message;
    return false;
  }
  $("train-error").textContent = "";
  training.id = answer.id;
  training.settingsKey = key;
  showTraining(answer);
  writeHash();
  return true;
}

async function trainSteps(steps) {
  if (!(await ensureSession())) return false;
  try {
    const answer = await post("/api/train/step", { id: training.id, steps });
    $("train-error").textContent = answer.diverged || "";
    showTraining(answer);
    return !answer.diverged;
  } catch (error) {
    $("train-error").textContent = error.message;
    return false;
  }
}

// Play: ask for a few steps, draw, ask again, for as long as it plays. Each
// request runs at most a quarter of a second of training on the server, so
// the pictures update several times a second.
async function play() {
  if (training.looping) return;
  training.playing = training.looping = true;
  $("train-play").disabled = true;
  $("train-pause").disabled = false;
  try {
    while (training.playing) {
      const ok = await trainSteps(25);
      if (!ok) break;
    }
  } finally {
    // Play is offered again only once the last answer is drawn, so that
    // what the page shows after a pause is where training stopped.
    training.playing = training.looping = false;
    $("train-play").disabled = false;
    $("train-pause").disabled = true;
  }
}

function pause() {
  training.playing = false;
  $("train-pause").disabled = true;
}

function showTraining(s) {
  training.last = s;
  $("train-steps").textContent = String(s.steps);
  // Whole epochs as 2225, not 2225.0; a minibatch run's part-epoch as 12.5.
  $("train-epoch").textContent = Number.isInteger(s.epoch) ? String(s.epoch) : s.epoch.toFixed(1);
  $("loss").textContent = s.loss === null ? "nan" : s.loss.toPrecision(4);
  $("accuracy").textContent = `${s.correct}/${s.total}`;
  drawLossCurve(s.history);
  if (s.grid) {
    drawBoundary(s);
    drawNetwork(s);
  }
}

// ---- the pictures ---------------------------------------------------------------

// Batch losses jump from batch to batch (and a hinge batch can be exactly 0),
// so the curve is their moving average over about one epoch, on a log scale.
function smoothed(history) {
  const s = training.last;
  const batch = Number(state.train.batch_size) || (s ? s.total : 1);
  const alpha = Math.min(1, batch / (s ? s.total : 1));
  const out = [];
  let mean = history[0];
  for (const v of history) {
    mean = alpha * v + (1 - alpha) * mean;
    out.push(mean);
  }
  return out;
}

function drawLossCurve(history) {
  history = smoothed(history);
  const canvas = $("loss-curve");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 30;
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = "#737373";
  ctx.font = "11px Helvetica, Arial, sans-serif";
  if (!history.length) {
    ctx.fillText("press Play or Step", pad, h / 2);
    return;
  }
  const positive = history.filter((v) => v > 0);
  const floor = positive.length ? Math.max(1e-12, Math.min(...positive)) : 1e-12;
  const logs = history.map((v) => Math.log10(Math.max(v, floor)));
  const lo = Math.min(...logs), hi = Math.max(...logs);
  const span = hi - lo || 1;
  ctx.strokeStyle = "#d9d9d9";
  ctx.strokeRect(pad, 8, w - pad - 8, h - pad - 8);
  ctx.fillText(`1e${Math.round(hi)}`, 2, 16);
  ctx.fillText(`1e${Math.round(lo)}`, 2, h - pad);
  ctx.fillText(`${training.last ? training.last.steps : history.length} steps`, w - 70, h - 10);
  ctx.strokeStyle = info.colours.negative;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  logs.forEach((v, i) => {
    const x = pad + (w - pad - 8) * (history.length === 1 ? 0 : i / (history.length - 1));
    const y = 8 + (h - pad - 8) * (hi - v) / span;
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

// A map of values over the grid as an image: one pixel per grid point.
function mapImage(values, size) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(size, size);
  const scale = Math.max(1e-12, ...values.map((v) => (v === null ? 0 : Math.abs(v))));
  values.forEach((v, i) => {
    const [r, g, b] = signedRgb(v, scale);
    image.data.set([r, g, b, 255], i * 4);
  });
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function toCanvas(s, x, y, w, h) {
  const [x0, x1, y0, y1] = s.grid.box;
  return [(x - x0) / (x1 - x0) * w, (y1 - y) / (y1 - y0) * h];
}

function drawBoundary(s) {
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(mapImage(s.boundary, s.grid.size), 0, 0, w, h);
  const pos = hexToRgb(info.colours.positive), neg = hexToRgb(info.colours.negative);
  s.points.forEach(([x, y, label], i) => {
    const [px, py] = toCanvas(s, x, y, w, h);
    ctx.beginPath();
    ctx.arc(px, py, s.points.length > 50 ? 3.5 : 6, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${(label ? pos : neg).join(",")})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "white";
    ctx.stroke();
    if (i === state.train.example) {
      ctx.beginPath();
      ctx.arc(px, py, 10, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#252525";
      ctx.stroke();
    }
  });
  const [x, y, label] = s.points[state.train.example] || s.points[0];
  $("example").textContent = `Picked: example ${state.train.example + 1}, (${x.toPrecision(3)}, ${y.toPrecision(3)}), label ${label}.`;
}

function pickExample(event) {
  const s = training.last;
  if (!s || !s.points) return;
  const canvas = $("boundary");
  const rect = canvas.getBoundingClientRect();
  const cx = (event.clientX - rect.left) * canvas.width / rect.width;
  const cy = (event.clientY - rect.top) * canvas.height / rect.height;
  let best = 0, bestDistance = Infinity;
  s.points.forEach(([x, y], i) => {
    const [px, py] = toCanvas(s, x, y, canvas.width, canvas.height);
    const d = (px - cx) ** 2 + (py - cy) ** 2;
    if (d < bestDistance) { best = i; bestDistance = d; }
  });
  state.train.example = best;
  drawBoundary(s);
  writeHash();
}

// The network, TensorFlow Playground's way: a column per layer, each neuron
// a small map of what it computes over the input plane, the weights as lines.
const SVG_NS = "http://www.w3.org/2000/svg";
const MAX_DRAWN = 64; // neurons of a layer drawn; a wider layer is summarised

function drawNetwork(s) {
  const svg = $("network");
  const size = s.grid.size;
  const widths = [2, ...s.weights.map((layer) => layer.length)];
  const tallest = Math.min(MAX_DRAWN, Math.max(...widths));
  const cell = Math.max(12, Math.min(40, Math.floor(420 / tallest) - 6));
  const gap = 6, columnGap = 70, top = 24;
  const height = top + tallest * (cell + gap) + 10;
  const width = 20 + widths.length * (cell + columnGap);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const place = (col, i, n) => {
    const x = 20 + col * (cell + columnGap);
    const y = top + (tallest - Math.min(n, MAX_DRAWN)) * (cell + gap) / 2 + i * (cell + gap);
    return [x, y];
  };
  // The weights first, so the neurons sit on top of them.
  s.weights.forEach((layer, li) => {
    const nin = widths[li];
    if (nin > MAX_DRAWN || layer.length > MAX_DRAWN) return;
    const biggest = Math.max(1e-12, ...layer.flat().map((w) => Math.abs(w || 0)));
    layer.forEach((weights, j) => {
      const [x2, y2] = place(li + 1, j, layer.length);
      for (let i = 0; i < nin; i++) {
        const w = weights[i];
        const [x1, y1] = place(li, i, nin);
        const line = document.createElementNS(SVG_NS, "line");
        line.setAttribute("x1", String(x1 + cell));
        line.setAttribute("y1", String(y1 + cell / 2));
        line.setAttribute("x2", String(x2));
        line.setAttribute("y2", String(y2 + cell / 2));
        line.setAttribute("stroke", w > 0 ? info.colours.positive : info.colours.negative);
        line.setAttribute("stroke-width", String(0.4 + 4 * Math.abs(w || 0) / biggest));
        line.setAttribute("stroke-opacity", "0.75");
        line.setAttribute("class", w > 0 ? "weight positive" : "weight negative");
        const title = document.createElementNS(SVG_NS, "title");
        title.textContent = `weight ${w === null ? "nan" : w.toPrecision(3)}`;
        line.appendChild(title);
        svg.appendChild(line);
      }
    });
  });
  // The two inputs: x0 and x1 themselves, as maps.
  const inputs = [0, 1].map((axis) => {
    const values = [];
    const [x0, x1, y0, y1] = s.grid.box;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const x = x0 + (x1 - x0) * (c + 0.5) / size, y = y1 - (y1 - y0) * (r + 0.5) / size;
        values.push(axis === 0 ? x - (x0 + x1) / 2 : y - (y0 + y1) / 2);
      }
    }
    return values;
  });
  const columns = [inputs, ...s.maps];
  columns.forEach((maps, col) => {
    const label = document.createElementNS(SVG_NS, "text");
    const [lx] = place(col, 0, 1);
    label.setAttribute("x", String(lx + cell / 2));
    label.setAttribute("y", "14");
    label.setAttribute("text-anchor", "middle");
    label.setAttribute("font-size", "11");
    label.textContent = col === 0 ? "input" : col === columns.length - 1 ? "output" : `layer ${col}`;
    svg.appendChild(label);
    if (maps.length > MAX_DRAWN) {
      const note = document.createElementNS(SVG_NS, "text");
      note.setAttribute("x", String(lx));
      note.setAttribute("y", "40");
      note.setAttribute("font-size", "11");
      note.textContent = `${maps.length} neurons`;
      svg.appendChild(note);
      return;
    }
    maps.forEach((values, i) => {
      const [x, y] = place(col, i, maps.length);
      const g = document.createElementNS(SVG_NS, "g");
      g.setAttribute("class", col === 0 ? "input-node" : "neuron");
      const image = document.createElementNS(SVG_NS, "image");
      image.setAttribute("href", mapImage(values, size).toDataURL());
      image.setAttribute("x", String(x));
      image.setAttribute("y", String(y));
      image.setAttribute("width", String(cell));
      image.setAttribute("height", String(cell));
      image.setAttribute("preserveAspectRatio", "none");
      const rect = document.createElementNS(SVG_NS, "rect");
      rect.setAttribute("x", String(x));
      rect.setAttribute("y", String(y));
      rect.setAttribute("width", String(cell));
      rect.setAttribute("height", String(cell));
      rect.setAttribute("fill", "none");
      rect.setAttribute("stroke", "#969696");
      const title = document.createElementNS(SVG_NS, "title");
      title.textContent = col === 0 ? `input x${i}` : `neuron ${i + 1} of ${label.textContent}: click to see its graph`;
      g.append(image, rect, title);
      if (col > 0) {
        g.dataset.layer = String(col - 1);
        g.dataset.neuron = String(i);
        g.addEventListener("click", () => openNeuron(col - 1, i));
      }
      svg.appendChild(g);
    });
  });
}

async function openNeuron(layer, neuron) {
  if (!training.id) return;
  let answer;
  try {
    answer = await post("/api/train/neuron", { id: training.id, layer, neuron, example: state.train.example });
  } catch (error) {
    $("train-error").textContent = error.message;
    return;
  }
  pause();
  state.expr = { text: answer.expression, values: answer.values, params: answer.params, step: null, check: state.expr.check };
  $("expression").value = answer.expression;
  $("expr-caption").textContent = answer.caption;
  setMode("expr");
  await loadExpression();
}

// =============================================================================
// Wiring
// =============================================================================

function setMode(mode) {
  state.mode = mode;
  $("expr-view").hidden = mode !== "expr";
  $("train-view").hidden = mode !== "train";
  $("tab-expr").setAttribute("aria-selected", String(mode === "expr"));
  $("tab-train").setAttribute("aria-selected", String(mode === "train"));
  if (mode === "train") {
    showTrainSettings();
    if (!training.id) ensureSession();
  } else {
    pause();
  }
  writeHash();
}

function applyState() {
  $("expression").value = state.expr.text;
  $("check").checked = state.expr.check;
  setMode(state.mode);
  if (state.mode === "expr") loadExpression();
}

function wire() {
  $("tab-expr").addEventListener("click", () => { setMode("expr"); if (!graph) loadExpression(); });
  $("tab-train").addEventListener("click", () => setMode("train"));
  $("expression").addEventListener("input", () => {
    state.expr.text = $("expression").value;
    $("expr-caption").textContent = "";
    scheduleExpression(200);
  });
  $("check").addEventListener("change", () => {
    state.expr.check = $("check").checked;
    scheduleExpression(0);
  });
  $("step-prev").addEventListener("click", () => graph && showStep(state.expr.step - 1));
  $("step-next").addEventListener("click", () => graph && showStep(state.expr.step + 1));
  $("step-slider").addEventListener("input", () => graph && showStep(Number($("step-slider").value)));
  document.addEventListener("keydown", (event) => {
    if (state.mode !== "expr" || !graph) return;
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return;
    if (event.key === "ArrowLeft") { showStep(state.expr.step - 1); event.preventDefault(); }
    if (event.key === "ArrowRight") { showStep(state.expr.step + 1); event.preventDefault(); }
  });
  $("train-play").addEventListener("click", play);
  $("train-pause").addEventListener("click", pause);
  $("train-step").addEventListener("click", () => trainSteps(1));
  $("train-reset").addEventListener("click", () => { readTrainSettings(); resetTraining(); });
  $("train-settings").addEventListener("change", () => {
    readTrainSettings();
    showTrainSettings();
    writeHash();
    if (!training.playing) resetTraining();
  });
  $("train-settings").addEventListener("submit", (event) => event.preventDefault());
  $("boundary").addEventListener("click", pickExample);
  window.addEventListener("hashchange", () => {
    if (readHash()) applyState();
  });
}

async function start() {
  try {
    const response = await fetch("/api/info");
    info = await response.json();
  } catch (error) {
    showServerError("cannot reach the explorer's server: is `micrograd-scratch explore` still running?");
    return;
  }
  fillTrainChoices();
  wire();
  readHash();
  applyState();
}

start();
