// The Learn view of the static site: `micrograd-scratch learn` in the browser.
//
// The exercises the export chose (learn.json), each with its statement and
// math (its template's docstring), an editor holding the learner's file,
// Check, hints one at a time, and each exercise's state. No verdict is made
// here: the learner's file runs in a worker of its own (the local checker's
// child process: explore/course.py's load and run), and the explorer's
// worker builds the verdict from that worker's messages with runner's own
// code (course.py's verdict), asking for one more step each time. A check
// past its time limit is stopped by ending its worker (Worker.terminate).
// The learner's texts, their states and hints live in localStorage.
// Opened by a link such as …/#learn=4; site.js must come first.
"use strict";

(() => {
  const parent = window.explorerTransport; // the explorer's worker: verdicts, zip, rules
  const GRACE = 0.5; // s past a check's time limit before its worker is ended (runner.GRACE)
  const STORE = `micrograd-learn:${location.pathname}`; // one course per page address
  const $ = (id) => document.getElementById(id);
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  let course = []; // the exercises, in the export's order
  let current = null; // the exercise shown
  // {files: {file: text}, states: {file: state}, hints: {number: shown}, reports: {file: last verdict}}
  let saved = load();
  let checking = false;

  function load() {
    try {
      const s = JSON.parse(localStorage.getItem(STORE)) || {};
      return { files: s.files || {}, states: s.states || {}, hints: s.hints || {}, reports: s.reports || {} };
    } catch (error) {
      return { files: {}, states: {}, hints: {}, reports: {} };
    }
  }

  function save() {
    try {
      localStorage.setItem(STORE, JSON.stringify(saved));
      $("learn-saved").textContent = "";
    } catch (error) { // storage full or refused: the text stays in the editor
      $("learn-saved").textContent = `not kept in this browser (${error.message}): download your files`;
    }
  }

  const text = (ex) => saved.files[ex.file] ?? ex.template;
  function state(ex) {
    if (text(ex) === ex.template) return "not started";
    return saved.states[ex.file] || "edited, not checked";
  }

  // ---- the learner's worker: started ahead, used for one Check, then ended -----

  function learnerWorker() {
    let markReady;
    const ready = new Promise((resolve) => { markReady = resolve; });
    const worker = window.pythonWorker({
      onProgress: (_, done) => { if (done >= 1) markReady(); },
      onFail: markReady, // its first request then fails with the reason
    });
    worker.ready = ready;
    return worker;
  }
  // Started when the Learn view is first shown (an explorer-only visit starts none).
  let spare = null;
  let courseIn;
  const courseLoaded = new Promise((resolve) => { courseIn = resolve; }); // start() resolves it

  function startSpare() {
    if (spare) return;
    spare = learnerWorker();
    Promise.all([spare.ready, courseLoaded]).then(() => {
      $("learn-check").disabled = false;
      // Seconds since the page was asked for: the README's "time to the first checkable exercise".
      const seconds = (performance.now() / 1000).toFixed(1);
      status(`ready in ${seconds} s: press Check to run the checker on your file.`);
      document.body.dataset.learnReady = seconds;
    });
  }

  function takeWorker() {
    const worker = spare;
    spare = learnerWorker();
    return worker;
  }

  // A request that may not take longer than `seconds`: "stopped" if it does.
  function within(promise, seconds) {
    let timer;
    const late = new Promise((resolve) => { timer = setTimeout(() => resolve("stopped"), seconds * 1000); });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  // ---- the page -------------------------------------------------------------------

  function build() {
    const view = el("section", { id: "learn-view", hidden: true });
    view.setAttribute("aria-label", "Learn");
    view.innerHTML = `
      <header class="learn-bar">
        <strong>Learn by writing it</strong>
        <ol id="learn-list" data-testid="learn-list"></ol>
        <span class="learn-tools">
          <button type="button" id="learn-download" data-testid="learn-download">Download my files</button>
          <label class="learn-button">Open my folder<input type="file" id="learn-open"
            data-testid="learn-open" accept=".zip,.py" multiple hidden></label>
          <button type="button" id="learn-explorer" data-testid="learn-explorer">Explorer</button>
        </span>
      </header>
      <div class="learn-panes">
        <article class="learn-statement">
          <h2 id="learn-title" data-testid="learn-title"></h2>
          <p id="learn-state" data-testid="learn-state"></p>
          <div id="learn-hints" data-testid="learn-hints"></div>
          <pre id="learn-text" data-testid="learn-statement"></pre>
        </article>
        <div class="learn-editor">
          <textarea id="learn-code" data-testid="learn-code" spellcheck="false" autocomplete="off" wrap="off"
            aria-label="your file"></textarea>
          <div class="learn-row">
            <button type="button" id="learn-check" data-testid="learn-check" disabled>Check</button>
            <button type="button" id="learn-hint" data-testid="learn-hint">Hint</button>
            <button type="button" id="learn-reset" data-testid="learn-reset">Start again from the template</button>
            <span id="learn-line" class="learn-quiet"></span>
            <span id="learn-saved" class="error"></span>
          </div>
        </div>
        <div class="learn-verdict">
          <p id="learn-status" data-testid="learn-status" class="learn-quiet">starting Python…</p>
          <div id="learn-graph" data-testid="learn-graph"></div>
          <pre id="learn-lines" data-testid="learn-verdict"></pre>
        </div>
      </div>`;
    document.body.append(view);
    const note = el("p", { id: "learn-rules", hidden: true });
    note.dataset.testid = "learn-rules";
    document.body.append(note);
    $("learn-check").addEventListener("click", () => check(current));
    $("learn-hint").addEventListener("click", nextHint);
    $("learn-reset").addEventListener("click", () => {
      if (!confirm(`Put ${current.file} back to its template? Your text in it is lost.`)) return;
      delete saved.files[current.file];
      delete saved.states[current.file];
      delete saved.reports[current.file];
      save();
      show(current);
    });
    $("learn-code").addEventListener("input", () => {
      saved.files[current.file] = $("learn-code").value;
      delete saved.states[current.file]; // its last verdict was of another text
      delete saved.reports[current.file];
      save();
      showList();
      showLine();
    });
    $("learn-code").addEventListener("keydown", (event) => { // Tab indents, as in an editor
      if (event.key !== "Tab" || event.shiftKey) return;
      event.preventDefault();
      document.execCommand("insertText", false, "    ");
    });
    $("learn-code").addEventListener("click", showLine);
    $("learn-code").addEventListener("keyup", showLine);
    $("learn-download").addEventListener("click", download);
    $("learn-open").addEventListener("change", openFolder);
    $("learn-explorer").addEventListener("click", () => showExplorer());
    window.addEventListener("hashchange", route);
  }

  function showLine() {
    const code = $("learn-code");
    const line = code.value.slice(0, code.selectionStart).split("\n").length;
    $("learn-line").textContent = `line ${line}`;
  }

  function showList() {
    $("learn-list").replaceChildren(...course.map((ex) => {
      const button = el("button", { type: "button", textContent: String(ex.number),
        title: `${ex.number}. ${ex.title}: ${state(ex)}` });
      button.dataset.state = state(ex);
      button.dataset.testid = `learn-ex-${ex.number}`;
      if (ex === current) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => open(ex.number));
      return el("li", {}, button);
    }));
  }

  function show(ex) {
    current = ex;
    $("learn-title").textContent = `${ex.number}. ${ex.title}`;
    $("learn-state").textContent = `${ex.file} · ${state(ex)} · write ${ex.writes.join(", ")}`;
    $("learn-state").dataset.state = state(ex);
    $("learn-text").textContent = statement(ex);
    $("learn-code").value = text(ex);
    showVerdict(saved.reports[ex.file]);
    showHints();
    showList();
    showLine();
  }

  // The template's docstring (the statement and the math), its paragraphs
  // joined into lines that wrap; indented or aligned lines (formulas, code,
  // commands in columns) kept as they are.
  function statement(ex) {
    const prose = (line) => /^\S/.test(line) && !line.includes("   ");
    const lines = ex.template.split('"""')[1].trim().split("\n");
    return lines.reduce((text, line, i) =>
      text + (i === 0 ? "" : prose(lines[i - 1]) && prose(line) ? " " : "\n") + line, "");
  }

  function open(number) {
    history.replaceState(null, "", `#learn=${number}`);
    route();
  }

  // #learn=N shows exercise N; no learn key, the explorer.
  function route() {
    const wanted = new URLSearchParams(location.hash.slice(1)).get("learn");
    if (!course.length) return;
    if (wanted === null) return $("learn-view").hidden ? undefined : showExplorer({ write: false });
    const ex = course.find((e) => e.number === Number(wanted)) || course[0];
    $("learn-view").hidden = false;
    document.body.classList.add("learning");
    startSpare();
    if (ex !== current) show(ex);
  }

  // ---- hints ------------------------------------------------------------------------

  async function showHints() {
    const ex = current;
    const shown = saved.hints[ex.number] || 0;
    const hints = [];
    for (let which = 1; which <= shown; which++) {
      hints.push(await parent("/api/learn/hint", { number: ex.number, which }));
    }
    if (ex !== current) return;
    $("learn-hints").replaceChildren(...hints.map((h) => el("p", { className: "learn-hint",
      textContent: `Hint ${h.which} of ${h.of}: ${h.text}` })));
    $("learn-hint").disabled = shown >= ex.hints;
  }

  function nextHint() {
    saved.hints[current.number] = Math.min((saved.hints[current.number] || 0) + 1, current.hints);
    save();
    showHints();
  }

  // ---- Check: the learner's worker runs, the explorer's worker judges -------------------

  async function check(ex) {
    if (checking) return;
    checking = true;
    $("learn-check").disabled = true;
    const files = { ...saved.files };
    const said = { results: {} }, tokens = {}, stopped = {};
    let worker = takeWorker();
    let loaded = false;
    $("learn-lines").textContent = ""; // the last verdict was of another text
    $("learn-graph").replaceChildren();
    try {
      status("starting Python for your code…");
      await worker.ready; // its time limit counts from here
      status(`checking ${ex.file}…`);
      for (;;) {
        const step = await parent("/api/learn/verdict", { number: ex.number, said, tokens, stopped });
        if (step.report) return showReport(ex, step.report);
        const limit = ex.time_limit + GRACE;
        await worker.ready;
        if (!loaded) { // a fresh worker loads the file before its first check
          const answer = await within(worker.request("/api/learn/load", { number: ex.number, files }), limit);
          if (answer === "stopped") {
            stopped.load = ex.time_limit;
            continue;
          }
          said.load = said.load || answer;
          loaded = true;
          if (step.load) continue;
        }
        const index = step.run;
        tokens[index] = crypto.getRandomValues(new Uint32Array(4)).join("-");
        const answer = await within(worker.request("/api/learn/run", { index, token: tokens[index] }), limit);
        if (answer === "stopped") {
          stopped[index] = ex.time_limit;
          status(`your code did not finish within ${ex.time_limit} s: the page ended its worker; `
            + "the checks left run in a fresh one…");
          worker.terminate();
          worker = takeWorker();
          loaded = false;
        } else {
          said.results[index] = answer;
        }
      }
    } catch (error) {
      status(`the check could not run: ${error.message}`);
    } finally {
      worker.terminate(); // one worker per Check, as one process locally
      checking = false;
      $("learn-check").disabled = false;
    }
  }

  function status(line) {
    $("learn-status").textContent = line;
  }

  function showReport(ex, report) {
    saved.states[ex.file] = report.state;
    saved.reports[ex.file] = report;
    if (!(ex.file in saved.files)) saved.files[ex.file] = ex.template;
    save();
    showVerdict(report);
    $("learn-state").textContent = `${ex.file} · ${report.state} · write ${ex.writes.join(", ")}`;
    $("learn-state").dataset.state = report.state;
    showList();
  }

  function showVerdict(report) {
    $("learn-lines").textContent = report ? report.lines.join("\n") : "";
    $("learn-graph").innerHTML = (report && report.svg) || ""; // drawn by Graphviz from the checker's DOT
    if (report) status(report.summary.replace(/micrograd-scratch learn hint \d+/, "press Hint"));
  }

  // ---- the learner's folder: download, open -------------------------------------------

  async function download() {
    const zip = await parent("/api/learn/zip", { files: saved.files });
    const bytes = Uint8Array.from(atob(zip.base64), (c) => c.charCodeAt(0));
    const link = el("a", { href: URL.createObjectURL(new Blob([bytes], { type: "application/zip" })),
      download: zip.name });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }

  async function openFolder(event) {
    const found = {};
    const names = new Set(course.map((ex) => ex.file));
    try {
      for (const file of event.target.files) {
        if (file.name.endsWith(".zip")) {
          const bytes = new Uint8Array(await file.arrayBuffer());
          let binary = "";
          for (let i = 0; i < bytes.length; i += 0x8000) {
            binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
          }
          Object.assign(found, (await parent("/api/learn/unzip", { base64: btoa(binary) })).files);
        } else if (names.has(file.name)) {
          found[file.name] = await file.text();
        }
      }
    } catch (error) {
      return status(`could not open it: ${error.message}`);
    }
    event.target.value = "";
    for (const [name, body] of Object.entries(found)) {
      const ex = course.find((e) => e.file === name);
      if (body === (ex ? text(ex) : saved.files[name])) continue; // the same text: its verdict stands
      saved.files[name] = body;
      delete saved.states[name];
      delete saved.reports[name];
    }
    save();
    show(current);
    status(Object.keys(found).length ? `opened ${Object.keys(found).sort().join(", ")}`
      : "no exercise file in what you opened (ex01_perceptron.py, ...)");
  }

  // ---- the explorer, with the learner's exercise 4 rules --------------------------------

  async function showExplorer({ write = true } = {}) {
    $("learn-view").hidden = true;
    document.body.classList.remove("learning");
    if (write) {
      const h = new URLSearchParams(location.hash.slice(1));
      h.delete("learn");
      history.replaceState(null, "", "#" + h.toString());
    }
    const ex4 = course.find((ex) => ex.number === 4);
    if (ex4 && state(ex4) !== "not started") await useRules(true);
  }

  async function useRules(mine) {
    const answer = mine ? await parent("/api/learn/use", { files: saved.files })
      : await parent("/api/learn/unuse", {});
    const note = $("learn-rules");
    const toggle = el("button", { type: "button", textContent: mine && answer.rules.length
      ? "Use the package's own rules" : "Use my rules" });
    toggle.dataset.testid = "learn-rules-switch";
    toggle.addEventListener("click", () => useRules(!(mine && answer.rules.length)));
    const back = el("button", { type: "button", textContent: "Back to the course" });
    back.addEventListener("click", () => open(current ? current.number : course[0].number));
    const said = answer.error ? `Your exercise 4 rules cannot be used: ${answer.error}`
      : mine && answer.rules.length
        ? `The explorer uses your exercise 4 rules for ${answer.rules.join(", ")} (ex04_local_grads.py).`
        : "The explorer uses the package's own rules.";
    note.replaceChildren(el("span", { textContent: said }), " ", toggle, " ", back);
    note.hidden = false;
    if (window.explorerRefresh) await window.explorerRefresh();
  }

  // ---- start ----------------------------------------------------------------------------

  async function start() {
    build();
    const wanted = new URLSearchParams(location.hash.slice(1)).has("learn");
    if (wanted) { // at once, beside the explorer's worker: the two start together
      $("learn-view").hidden = false;
      document.body.classList.add("learning");
      startSpare();
    }
    const entry = el("button", { type: "button", textContent: "Learn" });
    entry.dataset.testid = "learn-open-view";
    entry.addEventListener("click", () => open(current ? current.number : course[0].number));
    document.querySelector("header nav")?.append(entry);
    let numbers;
    try {
      numbers = (await (await fetch("learn.json")).json()).exercises;
      course = (await parent("/api/learn/course", { numbers })).exercises;
    } catch (error) {
      return status(`the course could not start: ${error.message}`);
    }
    courseIn();
    route();
  }

  start();
})();
