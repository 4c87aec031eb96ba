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
//     Your own points (state.train.points, clicked, erased or pasted as CSV)
//     go with the next step request, and training goes on with them; they and
//     a small network's trained weights travel in the link.
//
// In the static site (`explore --export`), site.js sends these same requests
// to a Web Worker that runs the package in Pyodide, and there the op editor
// appears (info.editor): /api/op/source, /api/op/define, /api/op/reset.
"use strict";

const state = {
  mode: "expr",
  expr: { text: "tanh(a*b + a) * c", values: { a: 0.5, b: -1.5, c: 2 }, params: [], step: null, check: false },
  train: { dataset: "xor", hidden: "16", activation: "relu", loss: "", lr: "", lr_end: "",
           decay_steps: "", batch_size: "", seed: "0", example: 0,
           points: null, // your own [x1, x2, label] points; null: the data set's
           weights: null }, // a trained network's parameters, from a link, for the next session
  defs: [], // the static site's op editor: the code of each edit applied, in order (the link carries it)
};

let info = null; // GET /api/info: choices, defaults, colours, limits
const $ = (id) => document.getElementById(id);

// ---- talking to the server -------------------------------------------------

// In the static site (site.js), the same requests go to Python running in
// a Web Worker, and come back as the same JSON.
const transport = window.explorerTransport || null;

async function post(path, body) {
  if (transport) return transport(path, body);
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
    if (t.points !== null) h.set("pts", t.points.map((p) => p.join(",")).join(";"));
    const weights = t.weights || (training.last && training.last.parameters);
    if (weights) h.set("w", weights.join(","));
  }
  for (const code of state.defs) h.append("def", code);
  const learn = new URLSearchParams(location.hash.slice(1)).get("learn"); // the Learn view's (learn.js)
  if (learn !== null) h.set("learn", learn);
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
    // The server checks what these say; here they only need to be numbers.
    const numbers = (text) => text.split(",").map(Number);
    state.train.points = h.has("pts")
      ? h.get("pts").split(";").filter(Boolean).map(numbers) : null;
    state.train.weights = h.has("w") ? numbers(h.get("w")) : null;
  }
  state.defs = h.getAll("def");
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
  // A new expression opens at its last step, every gradient in place, the
  // first time (the page, a link without a step); typed, it opens at step 0,
  // so that Next runs the chain rule from the start.
  const last = answer.steps.length - 1;
  const typed = graph && graph.answer.expression !== answer.expression;
  if (typed) e.step = 0;
  else if (e.step === null || e.step > last) e.step = last;
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
    // Fit the width, but shrink to no less than 60% (a wider graph scrolls):
    // below that the labels are too small to read. (60%, not more: the
    // default expression's whole graph fits a projector's 1280 px.)
    const natural = parseFloat(svg.getAttribute("width")) * 4 / 3; // pt to px
    if (natural) svg.style.minWidth = `${Math.round(0.6 * natural)}px`;
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
  $("step-prev").disabled = k === 0;
  $("step-next").disabled = k === steps.length - 1;
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
  // What a note must not cover: every node and the legend's title (the
  // graph's own texts), read before the first note is placed.
  const taken = [...graph.svg.querySelectorAll("g.node > :is(polygon, ellipse, path), g.cluster text")];
  for (const item of graph.answer.inputs) {
    const n = graph.nodes[item.id];
    if (!n || !("fd_text" in item)) continue;
    const box = n.shape.getBBox();
    const note = document.createElementNS("http://www.w3.org/2000/svg", "text");
    note.setAttribute("class", "fd-note");
    note.setAttribute("x", String(box.x + box.width / 2));
    note.setAttribute("text-anchor", "middle");
    note.setAttribute("fill", item.agrees ? info.colours.positive : info.colours.negative);
    note.textContent = `fd ${item.fd_text} ${item.agrees ? "✓" : "✗"}`;
    n.g.appendChild(note);
    // Under the box, or above it where that would cover something.
    for (const y of [box.y + box.height + 11, box.y - 3]) {
      note.setAttribute("y", String(y));
      const b = note.getBBox();
      const covers = taken.some((shape) => {
        const t = shape.getBBox();
        return shape !== n.shape && b.x < t.x + t.width && t.x < b.x + b.width &&
               b.y < t.y + t.height && t.y < b.y + b.height;
      });
      if (!covers) break;
    }
  }
}

// =============================================================================
// The training view
// =============================================================================

const training = { id: null, playing: false, looping: false, last: null, settingsKey: "", pending: null, pendingKey: "",
                   pointsDirty: false, box: null };

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
// The command line's settings for the form's data set, loss and activation
// (info's table, which the server fills from cli/training.py): each box
// left empty shows its default greyed, and the server uses that default.
function trainDefaults() {
  const t = state.train;
  const table = info.defaults.table[t.dataset] || info.defaults.table.xor;
  const loss = t.loss || (info.defaults.per_dataset[t.dataset] || info.defaults.per_dataset.xor).loss;
  const d = (table[loss] || table[info.losses[0]])[t.activation] || {};
  return { loss, ...d };
}

function showTrainSettings() {
  const t = state.train;
  const d = trainDefaults();
  $("train-dataset").value = t.dataset;
  $("train-hidden").value = t.hidden;
  $("train-activation").value = t.activation;
  $("train-loss").value = d.loss;
  $("train-lr").value = t.lr;
  $("train-lr").placeholder = String(d.lr);
  $("train-lr-end").value = t.lr_end;
  // A rate typed alone does not decay, as `train --lr` alone does not.
  $("train-lr-end").placeholder = d.lr_end === null || t.lr !== "" ? "no decay" : String(d.lr_end);
  $("train-decay-steps").value = t.decay_steps;
  $("train-decay-steps").placeholder = String(d.decay_steps);
  $("train-batch").value = t.batch_size;
  $("train-batch").placeholder = d.batch_size === null ? "all" : String(d.batch_size);
  $("train-seed").value = t.seed;
}

function readTrainSettings() {
  const t = state.train;
  const dataset = $("train-dataset").value;
  if (dataset !== t.dataset) { // a new data set brings its own defaults, and its points
    t.dataset = dataset;
    t.loss = t.lr = t.lr_end = t.decay_steps = t.batch_size = "";
    t.example = 0;
    t.points = null;
    showTrainSettings();
  }
  const before = { loss: trainDefaults().loss, activation: t.activation };
  t.hidden = $("train-hidden").value.trim();
  t.activation = $("train-activation").value;
  t.loss = $("train-loss").value;
  t.lr = $("train-lr").value;
  t.lr_end = $("train-lr-end").value;
  t.decay_steps = $("train-decay-steps").value;
  t.batch_size = $("train-batch").value;
  t.seed = $("train-seed").value;
  if (t.loss !== before.loss || t.activation !== before.activation) {
    // Another loss or activation brings its own rate, as `train --loss` does.
    t.lr = t.lr_end = t.decay_steps = "";
    showTrainSettings();
  }
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

// What makes a new session: the settings. The points and weights go with
// it when it is made, but editing the points keeps the session (and its
// network), so they are not part of its key.
function sessionKey(body) {
  const { points, weights, ...settings } = body;
  return JSON.stringify(settings);
}

// Reset: a new network with the form's settings (Play pauses first).
function resetTraining() {
  pause();
  training.id = null;
  if (training.last) training.last.parameters = null; // the old network's: not for the link
  return ensureSession();
}

// The session for the form's settings: the current one, the one being
// made (so that a Play click during page load waits for it), or a new one.
function ensureSession() {
  readTrainSettings();
  const body = trainBody();
  if (state.train.points !== null) body.points = state.train.points;
  if (state.train.weights !== null) body.weights = state.train.weights;
  const key = sessionKey(body);
  if (training.id && training.settingsKey === key) return Promise.resolve(true);
  if (training.pending && training.pendingKey === key) return training.pending;
  training.pendingKey = key;
  training.pending = newSession(body, key).finally(() => { training.pending = null; });
  return training.pending;
}

async function newSession(body, key) {
  training.wantedKey = key; // the newest settings asked for
  let answer;
  try {
    answer = await post("/api/train/new", body);
  } catch (error) {
    if (training.wantedKey === key) $("train-error").textContent = error.message;
    return false;
  }
  // An answer for settings that newer ones replaced while it was on its
  // way (a slow new network, then a quick refusal) is not shown over them.
  if (training.wantedKey !== key) return false;
  $("train-error").textContent = "";
  training.id = answer.id;
  training.settingsKey = key;
  training.pointsDirty = false; // the session has them
  state.train.weights = null; // used: from now on the link carries the network's own
  showTraining(answer);
  writeHash();
  return true;
}

async function trainSteps(steps) {
  if (state.train.points !== null && !state.train.points.length) {
    $("train-error").textContent = "no points to train on: click the map to add some";
    return false;
  }
  if (!(await ensureSession())) return false;
  // No more than the server's work budget allows for this network.
  if (training.last && training.last.max_steps) steps = Math.min(steps, training.last.max_steps);
  const body = { id: training.id, steps };
  if (training.pointsDirty) { // edited since the last answer: training goes on with them
    body.points = state.train.points;
    training.pointsDirty = false;
  }
  try {
    const answer = await post("/api/train/step", body);
    $("train-error").textContent = answer.diverged || "";
    showTraining(answer);
    return !answer.diverged;
  } catch (error) {
    $("train-error").textContent = error.message;
    if (body.points) training.pointsDirty = true; // not taken: send them again
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
    training.box = s.grid.box;
    drawBoundary(s);
    drawNetwork(s);
    $("diagnosis-warnings").textContent = s.diagnosis ? s.diagnosis.warnings.join("\n") : "";
  }
  showPointsNote();
  if (state.mode === "train") writeHash(); // the link carries the trained weights
}

// ---- the pictures ---------------------------------------------------------------

// Batch losses jump from batch to batch (and a hinge batch can be exactly 0),
// so the curve is their moving average over about one epoch, on a log scale.
function smoothed(history) {
  const s = training.last;
  const batch = Number(state.train.batch_size) || (s ? s.total : 1);
  const stride = (s && s.history_stride) || 1; // steps averaged into each value
  const alpha = Math.min(1, batch * stride / (s ? s.total : 1));
  const out = [];
  let mean = history[0];
  for (const v of history) {
    if (v === null || mean === null) { mean = v; out.push(v); continue; } // a diverged value
    mean = alpha * v + (1 - alpha) * mean;
    out.push(mean);
  }
  return out;
}

// The loss, and with the checkbox each layer's mean |grad| (the same steps,
// smoothed the same way), on one log scale: a layer whose line sits far
// below the others learns that much slower.
const GRAD_COLOURS = ["#737373", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"];

function drawLossCurve(history) {
  const s = training.last;
  const grads = $("show-grads").checked && s && s.grad_history ? s.grad_history : [];
  const series = [history, ...grads].map(smoothed);
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
  const positive = series.flat().filter((v) => v > 0);
  const floor = positive.length ? Math.max(1e-12, Math.min(...positive)) : 1e-12;
  const logs = series.map((values) => values.map((v) => (v === null ? null : Math.log10(Math.max(v, floor)))));
  const all = logs.flat().filter((v) => v !== null);
  const lo = Math.min(...all), hi = Math.max(...all);
  const span = hi - lo || 1;
  ctx.strokeStyle = "#d9d9d9";
  ctx.strokeRect(pad, 8, w - pad - 8, h - pad - 8);
  ctx.fillText(`1e${Math.round(hi)}`, 2, 16);
  ctx.fillText(`1e${Math.round(lo)}`, 2, h - pad);
  ctx.fillText(`${s ? s.steps : history.length} steps`, w - 70, h - 10);
  logs.forEach((values, k) => {
    ctx.strokeStyle = k === 0 ? info.colours.negative : GRAD_COLOURS[(k - 1) % GRAD_COLOURS.length];
    ctx.lineWidth = k === 0 ? 1.5 : 1;
    ctx.beginPath();
    let drawing = false, end = null;
    values.forEach((v, i) => {
      if (v === null) { drawing = false; return; }
      const x = pad + (w - pad - 8) * (values.length === 1 ? 0 : i / (values.length - 1));
      const y = 8 + (h - pad - 8) * (hi - v) / span;
      if (drawing) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      drawing = true;
      end = [x, y];
    });
    ctx.stroke();
    if (k > 0 && end) { // name the layer at the line's end
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(`L${k}`, Math.min(end[0] + 2, w - 16), end[1] + 4);
    }
  });
  if (grads.length) {
    ctx.fillStyle = info.colours.negative;
    ctx.fillText("loss", pad + 4, h - pad - 4);
  }
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
  const [x0, x1, y0, y1] = training.box || s.grid.box;
  return [(x - x0) / (x1 - x0) * w, (y1 - y) / (y1 - y0) * h];
}

// The points on the map: yours as you edit them (before the server has
// answered), else the data set's as the server sent them.
function shownPoints(s) {
  return state.train.points !== null ? state.train.points : (s && s.points) || [];
}

function drawBoundary(s) {
  const canvas = $("boundary");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(mapImage(s.boundary, s.grid.size), 0, 0, w, h);
  const pos = hexToRgb(info.colours.positive), neg = hexToRgb(info.colours.negative);
  const points = shownPoints(s);
  points.forEach(([x, y, label], i) => {
    const [px, py] = toCanvas(s, x, y, w, h);
    ctx.beginPath();
    ctx.arc(px, py, points.length > 50 ? 3.5 : 6, 0, 2 * Math.PI);
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
  if (!points.length) {
    $("example").textContent = "";
    return;
  }
  const [x, y, label] = points[state.train.example] || points[0];
  $("example").textContent = `Picked: example ${state.train.example + 1}, (${x.toPrecision(3)}, ${y.toPrecision(3)}), label ${label}.`;
}

// Where a click on the map is: canvas pixels, and the input plane.
function canvasPoint(event) {
  const canvas = $("boundary");
  const rect = canvas.getBoundingClientRect();
  return [(event.clientX - rect.left) * canvas.width / rect.width,
          (event.clientY - rect.top) * canvas.height / rect.height];
}

function toPlane(cx, cy) {
  const [x0, x1, y0, y1] = training.box;
  const canvas = $("boundary");
  // Rounded to about a thousandth of the map, so that a link stays short.
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.max(x1 - x0, y1 - y0))));
  const round = (v) => Number(v.toFixed(digits));
  return [round(x0 + (x1 - x0) * cx / canvas.width), round(y1 - (y1 - y0) * cy / canvas.height)];
}

// The point nearest a canvas position: [index, distance in pixels].
function nearestPoint(points, cx, cy) {
  const canvas = $("boundary");
  let best = -1, bestDistance = Infinity;
  points.forEach(([x, y], i) => {
    const [px, py] = toCanvas(training.last, x, y, canvas.width, canvas.height);
    const d = Math.hypot(px - cx, py - cy);
    if (d < bestDistance) { best = i; bestDistance = d; }
  });
  return [best, bestDistance];
}

function pickExample(event) {
  const s = training.last;
  const points = shownPoints(s);
  if (!s || !points.length) return;
  const [best] = nearestPoint(points, ...canvasPoint(event));
  state.train.example = best;
  drawBoundary(s);
  writeHash();
}

// A click on the map, by the tool chosen: add a point of the chosen class
// (shift: the other one), erase the nearest point, or pick an example.
function clickBoundary(event) {
  if (!training.box || !training.last) return;
  const tool = $("point-tool").value;
  if (tool === "pick") return pickExample(event);
  const [cx, cy] = canvasPoint(event);
  const points = ownPoints();
  if (tool === "erase") {
    const [i, d] = nearestPoint(points, cx, cy);
    if (i < 0 || d > 12) return; // nothing under the eraser
    points.splice(i, 1);
    if (state.train.example >= points.length) state.train.example = 0;
  } else {
    const chosen = Number($("point-class").value);
    points.push([...toPlane(cx, cy), event.shiftKey ? 1 - chosen : chosen]);
  }
  pointsChanged();
}

// Your own points: on the first edit, a copy of the data set's.
function ownPoints() {
  if (state.train.points === null) state.train.points = shownPoints(training.last).map((p) => p.slice());
  return state.train.points;
}

// The points changed on the page: draw them now, and send them with the
// next step request (at once when training is paused), so that training
// goes on with them, the same network and no reload.
function pointsChanged() {
  training.pointsDirty = true;
  if (training.last) drawBoundary(training.last);
  showPointsNote();
  writeHash();
  if (!training.playing && state.train.points.length) trainSteps(0);
}

function showPointsNote() {
  const points = state.train.points;
  const n = shownPoints(training.last).length;
  let note = points === null ? `the ${state.train.dataset} data set's ${n} points` : `your ${n} points`;
  if (points !== null && !n) note = "no points: click the map to add some";
  $("points-note").textContent = note;
}

function clearPoints() {
  state.train.points = [];
  state.train.example = 0;
  pointsChanged();
}

// Back to the data set's own points: a new network on them.
function restorePoints() {
  state.train.points = null;
  state.train.example = 0;
  resetTraining();
}

// A CSV pasted or loaded: the server reads it (data.parse_csv, the same
// reader as `train --data`) and answers with its points, or the one line
// that says which row and column are wrong.
async function useCsv() {
  if (!(await ensureSession())) return;
  let answer;
  try {
    answer = await post("/api/train/step", { id: training.id, steps: 0, csv: $("points-csv").value });
  } catch (error) {
    $("train-error").textContent = error.message;
    return;
  }
  $("train-error").textContent = "";
  state.train.points = answer.points.map((p) => p.slice());
  state.train.example = 0;
  showTraining(answer);
}

function loadCsvFile() {
  const file = $("points-file").files[0];
  if (!file) return;
  if (file.size > 60000) {
    $("train-error").textContent = `${file.name} is ${file.size} bytes; the explorer takes a CSV of at most 60000 (500 points)`;
    return;
  }
  file.text().then((text) => {
    $("points-csv").value = text;
    useCsv();
  });
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
  // Each layer's health, under its column: the columns far enough apart for
  // its longest line at 10 px (about 5.5 px a character), none over the next.
  const health = s.diagnosis ? s.diagnosis.layers.map(healthLines) : [];
  const longest = Math.max(0, ...health.flat().map((line) => line.length));
  const gap = 6, columnGap = Math.max(70, Math.ceil(5.5 * longest) + 10 - cell), top = 24;
  const figures = s.diagnosis ? 3 * 12 + 8 : 0;
  const height = top + tallest * (cell + gap) + 10 + figures;
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
  if (s.diagnosis) drawHealth(svg, health, (col) => place(col, 0, 1)[0], height - figures + 8);
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
      const health = col > 0 && s.diagnosis ? s.diagnosis.layers[col - 1] : null;
      if (health && health.dead_units.includes(i)) { // greyed out (explore.css)
        g.classList.add("dead");
        title.textContent += "; dead: 0 on every point, so no gradient reaches it";
      }
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

// A layer's figures of diagnose() (diagnose.py) on all the points, in lines.
function healthLines(h) {
  const short = (v) => (v === null ? "–" : v.toExponential(1));
  return [
    h.activation === "linear" ? "linear: slope 1" // (nothing to die or saturate)
      : h.activation === "relu" || h.dead ? `dead ${h.dead}/${h.units}` : `saturated ${h.saturated}/${h.units}`,
    `|grad| ${short(h.grad)}`,
    `update ${short(h.update)}`,
  ];
}

// Under each layer, its healthLines.
function drawHealth(svg, health, columnX, y) {
  health.forEach((lines, li) => {
    lines.forEach((text, k) => {
      const t = document.createElementNS(SVG_NS, "text");
      t.setAttribute("x", String(columnX(li + 1)));
      t.setAttribute("y", String(y + 12 * k));
      t.setAttribute("class", "health");
      t.dataset.layer = String(li);
      t.textContent = text;
      svg.appendChild(t);
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
// The op editor: the static site only (info.editor), where the Python that
// runs the learner's code is their own browser's (browser.py, op_editor.py)
// =============================================================================

// name: the op in the editor; dirty: edited since shown or applied;
// applied: state.defs as last applied; names: each applied code's op names.
// pending: a link's code, not yet run.
const editor = { name: null, dirty: false, applied: "[]", names: new Map(), pending: null };

function setupEditor() {
  $("op-editor").hidden = false;
  fillOpNames();
  $("op-name").addEventListener("change", () => showOp($("op-name").value, { force: true }));
  $("op-code").addEventListener("input", () => { editor.dirty = true; });
  $("op-apply").addEventListener("click", () => applyOp($("op-code").value));
  $("op-reset").addEventListener("click", () => editor.name && resetOp(editor.name));
  $("op-link-run").addEventListener("click", runLinkCode);
  for (const type of ["click", "keyup"]) $("expression").addEventListener(type, opUnderCursor);
}

function fillOpNames() {
  $("op-name").replaceChildren(...info.ops.map((n) => new Option(n, n)));
  if (editor.name) $("op-name").value = editor.name;
}

// The op named where the expression's text cursor is (tanh in "tanh(a*b)")
// goes into the editor, unless the editor holds changes not yet applied.
function opAt(text, at) {
  for (const m of text.matchAll(/[A-Za-z_]\w*/g)) {
    if (m.index <= at && at <= m.index + m[0].length && info.ops.includes(m[0])) return m[0];
  }
  return null;
}

function opUnderCursor() {
  const name = opAt($("expression").value, $("expression").selectionStart);
  if (name && name !== editor.name) showOp(name);
}

async function showOp(name, { force = false } = {}) {
  if (editor.dirty && !force) return;
  try {
    const answer = await post("/api/op/source", { name });
    editor.name = name;
    editor.dirty = false;
    $("op-name").value = name;
    $("op-code").value = answer.source;
    $("op-error").textContent = "";
    $("op-checks").replaceChildren();
  } catch (error) {
    $("op-error").textContent = error.message;
  }
}

function showOpChecks(checks) {
  $("op-checks").replaceChildren(...checks.map((c) => {
    const li = document.createElement("li");
    li.textContent = (c.ok ? "✓ " : "✗ ") + c.text;
    li.className = c.ok ? "agrees" : "disagrees";
    return li;
  }));
}

// Apply: the learner's code runs in the page's Python; an error is one line
// with its line number, and changes nothing. `refresh` false: the caller
// redraws once after several (a link's edits).
async function applyOp(code, { refresh = true } = {}) {
  $("op-code").value = code;
  let answer;
  try {
    answer = await post("/api/op/define", { code });
  } catch (error) {
    $("op-error").textContent = error.message;
    $("op-checks").replaceChildren();
    return false;
  }
  $("op-error").textContent = "";
  $("op-code").value = code;
  editor.dirty = false;
  // Code that redefines every op of an earlier edit takes its place in the link.
  state.defs = state.defs.filter((c) => !(editor.names.get(c) || []).every((n) => answer.defined.includes(n)));
  state.defs.push(code);
  editor.names.set(code, answer.defined);
  editor.applied = JSON.stringify(state.defs);
  if (!answer.defined.includes(editor.name)) editor.name = answer.defined[0];
  showOpChecks(answer.checks);
  if (refresh) await opsChanged({ clicked: true });
  return true;
}

// Reset: the built-in op again (or an op the learner added, gone).
async function resetOp(name) {
  let answer;
  try {
    answer = await post("/api/op/reset", { name });
  } catch (error) {
    $("op-error").textContent = error.message;
    return;
  }
  state.defs = state.defs.filter((c) => !(editor.names.get(c) || []).includes(name));
  editor.applied = JSON.stringify(state.defs);
  $("op-code").value = answer.source;
  $("op-error").textContent = "";
  $("op-checks").replaceChildren();
  editor.dirty = false;
  if (!answer.built_in) editor.name = null;
  await opsChanged({ clicked: true });
}

// A link's edits, when a page opens from it (or its hash changes): shown in
// the editor, and run only when the learner presses "Run the link's code",
// since code in a link is someone else's until they have read it.
async function syncDefs() {
  if (!info.editor || JSON.stringify(state.defs) === editor.applied) return;
  editor.pending = state.defs;
  for (const name of info.edited) await post("/api/op/reset", { name });
  editor.applied = "[]";
  $("op-code").value = state.defs.join("\n\n");
  editor.dirty = true; // the link's code stays in the editor until it is run
  $("op-link").hidden = false;
  $("op-editor").open = true; // the link's code is what the learner came for
}

async function runLinkCode() {
  $("op-link").hidden = true;
  const wanted = editor.pending || [];
  editor.pending = null;
  state.defs = [];
  for (const code of wanted) if (!(await applyOp(code, { refresh: false }))) break;
  await opsChanged({ clicked: true });
}

// After an edit every view recomputes with the op as it is now: the
// expression, and a new network (the activations may have changed).
async function opsChanged({ clicked }) {
  info = await post("/api/info");
  // An activation that is gone (a new op reset) gives way to the default.
  if (!info.activations.includes(state.train.activation)) state.train.activation = info.defaults.activation;
  fillOpNames();
  fillTrainChoices();
  showTrainSettings();
  pause();
  training.id = null;
  if (training.last) training.last.parameters = null;
  writeHash();
  if (state.mode === "train" && clicked) await ensureSession();
  if (state.mode === "expr") await loadExpression();
}

// The Learn view (learn.js) redraws with the learner's rules, or without them.
window.explorerRefresh = () => opsChanged({ clicked: false });

// =============================================================================
// Wiring
// =============================================================================

// A session is made on a click (the Train tab, Play, Step, a setting),
// never by opening a link: a link from another site must not be able to
// make the server train.
function setMode(mode, { clicked = true } = {}) {
  state.mode = mode;
  $("expr-view").hidden = mode !== "expr";
  $("train-view").hidden = mode !== "train";
  $("tab-expr").setAttribute("aria-selected", String(mode === "expr"));
  $("tab-train").setAttribute("aria-selected", String(mode === "train"));
  if (mode === "train") {
    showTrainSettings();
    if (!training.id && clicked) ensureSession();
    if (!training.id) drawLossCurve([]); // "press Play or Step"
  } else {
    pause();
  }
  writeHash();
}

async function applyState() {
  $("expression").value = state.expr.text;
  $("check").checked = state.expr.check;
  if (info.editor) await syncDefs();
  setMode(state.mode, { clicked: false });
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
  $("boundary").addEventListener("click", clickBoundary);
  $("points-clear").addEventListener("click", clearPoints);
  $("points-restore").addEventListener("click", restorePoints);
  $("points-csv-open").addEventListener("click", () => {
    const box = $("csv-box");
    box.hidden = !box.hidden;
    $("points-csv-open").setAttribute("aria-expanded", String(!box.hidden));
  });
  $("points-csv-use").addEventListener("click", useCsv);
  $("points-file").addEventListener("change", loadCsvFile);
  $("show-grads").addEventListener("change", () => training.last && drawLossCurve(training.last.history));
  window.addEventListener("hashchange", () => {
    if (readHash()) applyState();
  });
}

async function start() {
  try {
    info = transport ? await transport("/api/info") : await (await fetch("/api/info")).json();
  } catch (error) {
    showServerError(transport ? error.message
      : "cannot reach the explorer's server: is `micrograd-scratch explore` still running?");
    return;
  }
  fillTrainChoices();
  wire();
  readHash();
  if (info.editor) setupEditor();
  await applyState();
  if (info.editor && !editor.name && !editor.pending) {
    showOp(opAt(state.expr.text, state.expr.text.indexOf("(")) || "tanh");
  }
}

start();
